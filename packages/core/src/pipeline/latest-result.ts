import type { Redis } from "ioredis";
import { encodeHistoryEntry, historyEntryOf } from "../history/history-entry.js";
import { HISTORY_KEEP_INTERVALS, HISTORY_RING_SIZE } from "../history/history-limits.js";
import type { CpuBaseline } from "../probe/cpu-since-previous.js";
import { decodeCpuBaseline, encodeCpuBaseline } from "../probe/cpu-since-previous.js";
import type { CheckResult } from "../result/check-result.js";
import { KEYS } from "./redis-keys.js";
import { defineScript, runScript } from "./redis-script.js";
import { HOST_EXAMPLES } from "./key-examples.js";

/**
 * Keeps the newest result per host, by slot start time (epoch ms): a slower worker's older
 * slot never overwrites a newer one (a hash from before, with a slot index and no
 * `slotStart`, is replaced). In the same call, appends its figures to the host's history ring.
 * The hash's `cpu` field keeps the CPU counters the next check measures from (`c1 boot_id
 * busy total uptime`, ≈ 70 bytes); a check that measured nothing leaves the previous ones.
 * KEYS: latest hash, history ring (same hash tag). ARGV: slot start, result json, ttl ms,
 * entry, ring size, ring ttl ms, group, last failure json ('' when the check succeeded),
 * cpu counters ('' to keep the stored ones).
 */
const STORE_IF_NEWER = defineScript({
  name: "store latest result and history",
  keys: (host: string) => [KEYS.latestResult(host), KEYS.history(host)],
  examples: HOST_EXAMPLES,
  lua: `
local start = redis.call('HGET', KEYS[1], 'slotStart')
if start and tonumber(start) >= tonumber(ARGV[1]) then return 0 end
redis.call('HSET', KEYS[1], 'slotStart', ARGV[1], 'result', ARGV[2], 'group', ARGV[7])
redis.call('HDEL', KEYS[1], 'slot')
if ARGV[8] ~= '' then redis.call('HSET', KEYS[1], 'lastFailure', ARGV[8]) end
if ARGV[9] ~= '' then redis.call('HSET', KEYS[1], 'cpu', ARGV[9]) end
redis.call('PEXPIRE', KEYS[1], ARGV[3])
redis.call('LPUSH', KEYS[2], ARGV[4])
redis.call('LTRIM', KEYS[2], 0, tonumber(ARGV[5]) - 1)
redis.call('PEXPIRE', KEYS[2], ARGV[6])
return 1
`,
});

export const LATEST_RESULT_SCRIPTS = [STORE_IF_NEWER] as const;

export async function storeLatestResult(redis: Redis, result: CheckResult, slotStart: number, ttlMs: number, intervalMs = ttlMs / 10): Promise<boolean> {
  const host = result.host.name;
  const stored = await runScript(redis, STORE_IF_NEWER, [host], [
    slotStart,
    JSON.stringify(result),
    ttlMs,
    encodeHistoryEntry(historyEntryOf(result)),
    HISTORY_RING_SIZE,
    Math.round(HISTORY_KEEP_INTERVALS * intervalMs),
    result.host.group ?? "",
    result.outcome === "ok" ? "" : JSON.stringify({ at: result.finishedAt, outcome: result.outcome, reason: result.reason ?? result.outcome } satisfies LastFailure),
    encodeCpuBaseline(result.metrics) ?? "",
  ]);
  return stored === 1;
}

/** The last check that failed (could not reach, log in or probe), kept with the latest result. */
export interface LastFailure {
  at: number;
  outcome: string;
  reason: string;
}

export async function readLastFailure(redis: Redis, host: string): Promise<LastFailure | undefined> {
  const text = await redis.hget(KEYS.latestResult(host), "lastFailure");
  if (!text) return undefined;
  try {
    return JSON.parse(text) as LastFailure;
  } catch {
    return undefined;
  }
}

export async function readLatestResult(redis: Redis, host: string): Promise<CheckResult | undefined> {
  const text = await redis.hget(KEYS.latestResult(host), "result");
  return text ? (JSON.parse(text) as CheckResult) : undefined;
}

/** The CPU counters the host's latest check left: the pipeline measures the next check's CPU from them. */
export async function readCpuBaseline(redis: Redis, host: string): Promise<CpuBaseline | undefined> {
  return decodeCpuBaseline(await redis.hget(KEYS.latestResult(host), "cpu"));
}
