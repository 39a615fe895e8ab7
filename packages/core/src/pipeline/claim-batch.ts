import type { Redis } from "ioredis";
import { encodeId } from "./encode-id.js";
import { checkQueueName } from "./check-shards.js";
import { queuePrefix } from "./queue-names.js";
import { KEYS } from "./redis-keys.js";
import { defineKeyGroup, defineScript, runScript } from "./redis-script.js";
import type { Lease } from "./scheduler-lease.js";
import { fenceOf } from "./scheduler-lease.js";
import { checkJobId } from "./slot-schedule.js";

/** Lua: Redis's clock in epoch ms, read inside the script (on a cluster, the node of the script's keys). */
const NOW = `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
`;

/**
 * The hosts due now (score ≤ Redis's time), at most ARGV[1], each with its last claim
 * (`start|jobId`, or '' if none). KEYS: due, last-slot. Returns {now, host, last, host, last…}.
 */
const DUE = defineScript({
  name: "due hosts",
  keys: () => [KEYS.due, KEYS.lastSlot],
  examples: [[]],
  lua: `${NOW}
local hosts = redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now, 'LIMIT', 0, tonumber(ARGV[1]))
local out = {now}
for _, host in ipairs(hosts) do
  out[#out + 1] = host
  out[#out + 1] = redis.call('HGET', KEYS[2], host) or ''
end
return out
`,
});

/**
 * Claims the slots of a batch of due hosts, fenced by the leader's lease (-1 once the lease
 * is another replica's: a deposed leader claims nothing). Applies due-schedule.ts's
 * `decideDue` at Redis's time: a claim stores `start|jobId` in last-slot and makes the host
 * due at its next slot; a slot claimed less than an interval after the last one is
 * "taken"; a busy host is looked at again after its retry delay. Hosts no longer members
 * leave the due set. The host's offset is hostOffset's: sha1(name)'s first 32 bits mod interval.
 * KEYS: last-slot, lease, due. ARGV: fence, minRetryMs, nDrop, nDrop names, then per host
 * (name, encoded name, intervalMs, busy 0/1). Returns {now, host, slotStart, host, slotStart…} of the claims.
 */
const CLAIM_BATCH = defineScript({
  name: "batch slot claim",
  keys: () => [KEYS.lastSlot, KEYS.schedulerLease, KEYS.due],
  examples: [[]],
  lua: `
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
${NOW}
local minRetry = tonumber(ARGV[2])
local ndrop = tonumber(ARGV[3])
for i = 4, 3 + ndrop do redis.call('ZREM', KEYS[3], ARGV[i]) end
local out = {now}
for i = 4 + ndrop, #ARGV, 4 do
  local host, interval = ARGV[i], tonumber(ARGV[i + 2])
  if ARGV[i + 3] == '1' then
    redis.call('ZADD', KEYS[3], now + math.max(minRetry, math.floor(interval / 10)), host)
  else
    local offset = tonumber(string.sub(redis.sha1hex(host), 1, 8), 16) % interval
    local start = math.floor((now - offset) / interval) * interval + offset
    local last = redis.call('HGET', KEYS[1], host)
    local lastStart = last and tonumber(string.match(last, '^(-?%d+)'))
    if lastStart and start - lastStart < interval then
      redis.call('ZADD', KEYS[3], math.ceil((lastStart + interval - offset) / interval) * interval + offset, host)
    else
      local s = string.format('%.0f', start)
      redis.call('HSET', KEYS[1], host, s .. '|' .. ARGV[i + 1] .. '.' .. s)
      redis.call('ZADD', KEYS[3], start + interval, host)
      out[#out + 1] = host
      out[#out + 1] = start
    end
  end
end
return out
`,
});

/**
 * Puts hosts in the due set (fenced): `reset` makes them due at once (added or changed
 * hosts: the claim rules decide), otherwise only hosts not in it yet are added.
 * KEYS: lease, due. ARGV: fence, NX or '', names…
 */
const ENROLL = defineScript({
  name: "due enrol",
  keys: () => [KEYS.schedulerLease, KEYS.due],
  examples: [[]],
  lua: `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return -1 end
for i = 3, #ARGV do
  if ARGV[2] == 'NX' then redis.call('ZADD', KEYS[2], 'NX', 0, ARGV[i]) else redis.call('ZADD', KEYS[2], 0, ARGV[i]) end
end
return #ARGV - 2
`,
});

/** Removing hosts from the schedule: one MULTI over the due set and the last claims. */
const DROP = defineKeyGroup({
  name: "scheduled hosts drop MULTI",
  keys: () => [KEYS.due, KEYS.lastSlot],
  examples: [[]],
});

/** The hash of a check job (BullMQ's key: the queue's prefix, its name, the job id). */
export const checkJobKey = (queue: string, jobId: string): string => `${queuePrefix(queue)}:${queue}:${jobId}`;

/** The last check jobs of due hosts, read in one pipeline per check queue (the queue's hash tag). */
const PREVIOUS_CHECKS = defineKeyGroup({
  name: "previous check jobs HMGET pipeline",
  keys: (queue: string, jobIds: readonly string[]) => jobIds.map((id) => checkJobKey(queue, id)),
  examples: [[checkQueueName(7), ["web-1.1740740712345", "2001%3Adb8%3A%3A7.1740740712345", "db%2E1.1"]]],
});

/** A host taken from the due set, with the start of the slot last claimed for it. */
export interface DueEntry {
  host: string;
  lastStart?: number;
  lastJobId?: string;
}

/** Up to `limit` hosts due now by Redis's clock, with their last claims. */
export async function dueHosts(redis: Redis, limit: number): Promise<{ now: number; due: DueEntry[] }> {
  const reply = (await runScript(redis, DUE, [], [limit])) as [number, ...string[]];
  const due: DueEntry[] = [];
  for (let i = 1; i < reply.length; i += 2) {
    const host = String(reply[i]);
    const last = String(reply[i + 1]);
    const [start, jobId] = last.split("|");
    due.push({ host, ...(last ? { lastStart: Number(start), ...(jobId ? { lastJobId: jobId } : {}) } : {}) });
  }
  return { now: Number(reply[0]), due };
}

/** One host of a batch to claim. */
export interface BatchHost {
  name: string;
  intervalMs: number;
  /** Its previous check is still queued or running. */
  busy: boolean;
}

export interface BatchClaim {
  host: string;
  slotStart: number;
  jobId: string;
}

/** Claims a batch in one script; `not-leader` when the lease is no longer this replica's. `drop`: due hosts that are not members. */
export async function claimBatch(redis: Redis, lease: Lease, hosts: readonly BatchHost[], drop: readonly string[], minRetryMs: number): Promise<{ now: number; claimed: BatchClaim[] } | "not-leader"> {
  const args: string[] = [fenceOf(lease), String(minRetryMs), String(drop.length), ...drop];
  for (const h of hosts) args.push(h.name, encodeId(h.name), String(h.intervalMs), h.busy ? "1" : "0");
  const reply = await runScript(redis, CLAIM_BATCH, [], args);
  if (!Array.isArray(reply)) return "not-leader";
  const claimed: BatchClaim[] = [];
  for (let i = 1; i < reply.length; i += 2) {
    const host = String(reply[i]);
    const slotStart = Number(reply[i + 1]);
    claimed.push({ host, slotStart, jobId: checkJobId(encodeId(host), slotStart) });
  }
  return { now: Number(reply[0]), claimed };
}

/** Puts hosts in the due set; false when the lease is no longer this replica's. */
export async function enrollDue(redis: Redis, lease: Lease, names: readonly string[], mode: "reset" | "missing"): Promise<boolean> {
  if (names.length === 0) return true;
  const reply = await runScript(redis, ENROLL, [], [fenceOf(lease), mode === "missing" ? "NX" : "", ...names]);
  return Number(reply) >= 0;
}

/** A removed host leaves the due set and its last claim is forgotten. */
export async function dropScheduledHosts(redis: Redis, names: readonly string[]): Promise<void> {
  if (names.length === 0) return;
  const [due, lastSlot] = DROP.keys() as [string, string];
  await redis.multi().zrem(due, ...names).hdel(lastSlot, ...names).exec();
}

/**
 * For each job id of a check queue, whether that check is still queued or running: its job
 * hash exists and has no `finishedOn` (finished jobs are removed or have it). One pipeline.
 */
export async function checksStillRunning(redis: Redis, queue: string, jobIds: readonly string[]): Promise<boolean[]> {
  if (jobIds.length === 0) return [];
  const pipeline = redis.pipeline();
  for (const key of PREVIOUS_CHECKS.keys(queue, jobIds)) pipeline.hmget(key, "timestamp", "finishedOn");
  const replies = (await pipeline.exec()) ?? [];
  return replies.map(([error, fields]) => {
    if (error) throw error;
    const [timestamp, finishedOn] = fields as [string | null, string | null];
    return timestamp !== null && finishedOn === null;
  });
}

export const CLAIM_BATCH_SCRIPTS = [DUE, CLAIM_BATCH, ENROLL] as const;
export const CLAIM_BATCH_KEY_GROUPS = [DROP, PREVIOUS_CHECKS] as const;
