import type { Redis } from "ioredis";
import { KEYS } from "./redis-keys.js";
import { defineScript, runScript } from "./redis-script.js";

/** A lease: who holds it and its token, which rises with every new lease (the fence writes check). */
export interface Lease {
  id: string;
  token: number;
}

/** Where a lease lives: its key (value `id|token`, with a TTL) and its token counter, under one hash tag. */
export interface LeaseKeys {
  lease: string;
  counter: string;
}

export const SCHEDULER_LEASE: LeaseKeys = { lease: KEYS.schedulerLease, counter: KEYS.schedulerLeaseToken };
/** The notifier replica that runs the dispatcher. */
export const DISPATCHER_LEASE: LeaseKeys = { lease: KEYS.dispatcherLock, counter: KEYS.dispatcherLockToken };
/** The one sender of a robot across notifier replicas. */
export const senderLease = (robot: string): LeaseKeys => ({ lease: KEYS.senderLock(robot), counter: KEYS.senderLockToken(robot) });

/** Every kind of lease, for the hash-slot test: a new kind of lease joins here. */
export const LEASE_EXAMPLES: readonly [LeaseKeys][] = [[SCHEDULER_LEASE], [DISPATCHER_LEASE], [senderLease("ops")], [senderLease("团队 robot:2")]];

/** The value a lease is stored as, and what a fenced write compares with. */
export const fenceOf = (lease: Lease): string => `${lease.id}|${lease.token}`;

/**
 * Renews this holder's lease, or takes it when nobody holds it. Returns the lease held, or
 * undefined when another holder has it.
 */
const ACQUIRE = defineScript({
  name: "lease acquire",
  keys: (keys: LeaseKeys) => [keys.lease, keys.counter],
  examples: LEASE_EXAMPLES,
  lua: `
local cur = redis.call('GET', KEYS[1])
if cur then
  local id, token = string.match(cur, '^(.*)|(%d+)$')
  if id == ARGV[1] then
    redis.call('PEXPIRE', KEYS[1], ARGV[2])
    return tonumber(token)
  end
  return -1
end
local token = redis.call('INCR', KEYS[2])
redis.call('SET', KEYS[1], ARGV[1] .. '|' .. token, 'PX', ARGV[2])
return token
`,
});

const RELEASE = defineScript({
  name: "lease release",
  keys: (keys: LeaseKeys) => [keys.lease],
  examples: LEASE_EXAMPLES,
  lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end
return 0
`,
});

export const LEASE_SCRIPTS = [ACQUIRE, RELEASE] as const;

export async function acquireLease(redis: Redis, id: string, leaseMs: number, keys: LeaseKeys = SCHEDULER_LEASE): Promise<Lease | undefined> {
  const token = Number(await runScript(redis, ACQUIRE, [keys], [id, leaseMs]));
  return token >= 0 ? { id, token } : undefined;
}

/** On shutdown: another holder takes over at once instead of after the lease lapses. */
export async function releaseLease(redis: Redis, lease: Lease, keys: LeaseKeys = SCHEDULER_LEASE): Promise<void> {
  await runScript(redis, RELEASE, [keys], [fenceOf(lease)]);
}

/** Who leads now (`id|token`), for status pages. */
export async function currentLeader(redis: Redis, keys: LeaseKeys = SCHEDULER_LEASE): Promise<string | undefined> {
  return (await redis.get(keys.lease)) ?? undefined;
}
