import type { Redis } from "ioredis";
import type { Lease } from "./scheduler-lease.js";
import { fenceOf } from "./scheduler-lease.js";
import { KEYS } from "./redis-keys.js";
import { defineScript, runScript } from "./redis-script.js";

/**
 * Claims a host's slot, fenced by the leader's lease: refused (-1) once the lease is
 * another replica's, so a deposed leader enqueues nothing. Succeeds only if the last
 * claimed slot started at least one (current) interval earlier, so a changed interval
 * neither doubles a check nor skips one. Stores `start|jobId`.
 */
const CLAIM = defineScript({
  name: "claim slot",
  keys: () => [KEYS.lastSlot, KEYS.schedulerLease],
  examples: [[]],
  lua: `
if redis.call('GET', KEYS[2]) ~= ARGV[5] then return -1 end
local last = redis.call('HGET', KEYS[1], ARGV[1])
if last then
  local start = tonumber(string.match(last, '^(-?%d+)'))
  if tonumber(ARGV[2]) - start < tonumber(ARGV[3]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[4])
return 1
`,
});

export type Claim = "claimed" | "taken" | "not-leader";

export async function claimSlot(redis: Redis, lease: Lease, host: string, slotStart: number, intervalMs: number, jobId: string): Promise<Claim> {
  const claimed = Number(await runScript(redis, CLAIM, [], [host, slotStart, intervalMs, jobId, fenceOf(lease)]));
  return claimed === 1 ? "claimed" : claimed === 0 ? "taken" : "not-leader";
}

/** The job id of the last check claimed for a host, if any. */
export async function lastClaimedJob(redis: Redis, host: string): Promise<string | undefined> {
  const last = await redis.hget(KEYS.lastSlot, host);
  return last?.split("|")[1];
}

export async function forgetHost(redis: Redis, host: string): Promise<void> {
  await redis.hdel(KEYS.lastSlot, host);
}

/** Redis's clock on the node of the scheduler's keys (a bare TIME goes to any node of a cluster). */
const SCHED_TIME = defineScript({
  name: "scheduler clock",
  keys: () => [KEYS.lastSlot],
  examples: [[]],
  lua: "local t = redis.call('TIME') return {t[1], t[2]}",
});

/** Redis's clock, so replicas with skewed clocks agree on slots. */
export async function redisNow(redis: Redis): Promise<number> {
  const [seconds, micros] = (await runScript(redis, SCHED_TIME, [])) as [string, string];
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}

export const CLAIM_SLOT_SCRIPTS = [CLAIM, SCHED_TIME] as const;
