/**
 * The check queue is split into shards so that each host's checks go to the one worker that
 * keeps its SSH connection: a host belongs to one shard by a stable hash of its name, and each
 * shard is leased to one live worker (see shard-leases.ts).
 *
 * The count is a constant, not a setting: the scheduler, every worker, Bull Board and the
 * metrics must agree on it, and a change moves most hosts to another shard (their queued checks
 * stay in the old queue). 32 lets up to 32 worker processes share the fleet (100,000 hosts at
 * about 3,000 per process) and keeps shards even between 2–8 workers (within one shard of each
 * other), while one worker holding all of them opens 32 blocking Redis connections.
 */
export const CHECK_SHARD_COUNT = 32;

/** FNV-1a (32-bit) of the name's UTF-8 bytes: stable across processes, versions and platforms. */
function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (const byte of Buffer.from(text, "utf8")) {
    hash ^= byte;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The shard (0 … CHECK_SHARD_COUNT − 1) a host's checks are queued in. */
export const checkShardOf = (hostName: string): number => fnv1a(hostName) % CHECK_SHARD_COUNT;

/** `checks-07`: the BullMQ queue of a shard (its prefix `fleetwatch:{checks-07}` from queuePrefix). */
export function checkQueueName(shard: number): string {
  if (!Number.isInteger(shard) || shard < 0 || shard >= CHECK_SHARD_COUNT) throw new Error(`bug: no check shard ${shard} (0…${CHECK_SHARD_COUNT - 1})`);
  return `checks-${String(shard).padStart(2, "0")}`;
}

/** The queue a host's checks go to. */
export const checkQueueOf = (hostName: string): string => checkQueueName(checkShardOf(hostName));

/** Every shard number, in order. */
export const checkShards = (): number[] => Array.from({ length: CHECK_SHARD_COUNT }, (_, shard) => shard);
