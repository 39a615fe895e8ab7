import type { Redis } from "ioredis";
import { KEYS } from "../pipeline/redis-keys.js";
import type { HistoryEntry } from "./history-entry.js";
import { decodeHistoryEntry } from "./history-entry.js";
import { HISTORY_RING_SIZE } from "./history-limits.js";

const decodeAll = (texts: readonly string[]): HistoryEntry[] => texts.flatMap((t) => decodeHistoryEntry(t) ?? []);

/** A host's history, newest first: the whole ring, or its newest `count` entries. */
export async function readHistory(redis: Redis, host: string, count = HISTORY_RING_SIZE): Promise<HistoryEntry[]> {
  return decodeAll(await redis.lrange(KEYS.history(host), 0, count - 1));
}

/** The newest `count` entries of many hosts in one round trip (a list page's strips). */
export async function readRecentHistory(redis: Redis, hosts: readonly string[], count: number): Promise<Map<string, HistoryEntry[]>> {
  const out = new Map<string, HistoryEntry[]>();
  if (hosts.length === 0) return out;
  const pipeline = redis.pipeline();
  for (const host of hosts) pipeline.lrange(KEYS.history(host), 0, count - 1);
  const replies = (await pipeline.exec()) ?? [];
  hosts.forEach((host, i) => {
    const [error, texts] = replies[i] ?? [null, []];
    out.set(host, error ? [] : decodeAll(texts as string[]));
  });
  return out;
}

/** The group each host's latest result was checked under, for hosts whose membership record has none. */
export async function readLatestGroups(redis: Redis, hosts: readonly string[]): Promise<Map<string, string | undefined>> {
  const out = new Map<string, string | undefined>();
  if (hosts.length === 0) return out;
  const pipeline = redis.pipeline();
  for (const host of hosts) pipeline.hget(KEYS.latestResult(host), "group");
  const replies = (await pipeline.exec()) ?? [];
  hosts.forEach((host, i) => {
    const group = replies[i]?.[1];
    out.set(host, typeof group === "string" && group !== "" ? group : undefined);
  });
  return out;
}
