import type { Redis } from "ioredis";
import type { CheckResult } from "../result/check-result.js";
import { KEYS } from "./redis-keys.js";

/**
 * Keeps the newest result per host, by slot start time (epoch ms): a slower worker's older
 * slot never overwrites a newer one. A hash from before (a slot index, no `slotStart`) is replaced.
 */
const STORE_IF_NEWER = `
local start = redis.call('HGET', KEYS[1], 'slotStart')
if start and tonumber(start) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'slotStart', ARGV[1], 'result', ARGV[2])
redis.call('HDEL', KEYS[1], 'slot')
redis.call('PEXPIRE', KEYS[1], ARGV[3])
return 1
`;

export async function storeLatestResult(redis: Redis, result: CheckResult, slotStart: number, ttlMs: number): Promise<boolean> {
  const stored = await redis.eval(STORE_IF_NEWER, 1, KEYS.latestResult(result.host.name), String(slotStart), JSON.stringify(result), String(ttlMs));
  return stored === 1;
}

export async function readLatestResult(redis: Redis, host: string): Promise<CheckResult | undefined> {
  const text = await redis.hget(KEYS.latestResult(host), "result");
  return text ? (JSON.parse(text) as CheckResult) : undefined;
}
