import type { Redis } from "ioredis";
import { KEYS } from "./redis-keys.js";

/**
 * Claims a host's slot, once across all scheduler replicas: succeeds only if the last
 * claimed slot started at least one (current) interval earlier, so a changed interval
 * neither doubles a check nor skips one. Stores `start|jobId`.
 */
const CLAIM = `
local last = redis.call('HGET', KEYS[1], ARGV[1])
if last then
  local start = tonumber(string.match(last, '^(-?%d+)'))
  if tonumber(ARGV[2]) - start < tonumber(ARGV[3]) then return 0 end
end
redis.call('HSET', KEYS[1], ARGV[1], ARGV[2] .. '|' .. ARGV[4])
return 1
`;

export async function claimSlot(redis: Redis, host: string, slotStart: number, intervalMs: number, jobId: string): Promise<boolean> {
  const claimed = await redis.eval(CLAIM, 1, KEYS.lastSlot, host, String(slotStart), String(intervalMs), jobId);
  return claimed === 1;
}

/** The job id of the last check claimed for a host, if any. */
export async function lastClaimedJob(redis: Redis, host: string): Promise<string | undefined> {
  const last = await redis.hget(KEYS.lastSlot, host);
  return last?.split("|")[1];
}

export async function forgetHost(redis: Redis, host: string): Promise<void> {
  await redis.hdel(KEYS.lastSlot, host);
}

/** Redis's clock, so replicas with skewed clocks agree on slots. */
export async function redisNow(redis: Redis): Promise<number> {
  const [seconds, micros] = await redis.time();
  return Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);
}
