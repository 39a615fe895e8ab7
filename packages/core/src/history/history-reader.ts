import type { Redis } from "ioredis";
import { HOST_EXAMPLES } from "../pipeline/key-examples.js";
import { KEYS } from "../pipeline/redis-keys.js";
import { defineKeyGroup } from "../pipeline/redis-script.js";
import type { HistoryEntry } from "./history-entry.js";
import { decodeHistoryEntry } from "./history-entry.js";
import { HISTORY_RING_SIZE } from "./history-limits.js";

/** Many hosts' history rings in one pipeline (on a cluster, one pipeline reaches one node). */
const RECENT_HISTORY = defineKeyGroup({
  name: "history rings pipeline",
  keys: (hosts: readonly string[]) => hosts.map((h) => KEYS.history(h)),
  examples: [[HOST_EXAMPLES.map(([h]) => h)]],
});

/** Many hosts' latest results in one pipeline. */
const LATEST_GROUPS = defineKeyGroup({
  name: "latest results pipeline",
  keys: (hosts: readonly string[]) => hosts.map((h) => KEYS.latestResult(h)),
  examples: [[HOST_EXAMPLES.map(([h]) => h)]],
});

export const HISTORY_KEY_GROUPS = [RECENT_HISTORY, LATEST_GROUPS] as const;

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
  for (const key of RECENT_HISTORY.keys(hosts)) pipeline.lrange(key, 0, count - 1);
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
  for (const key of LATEST_GROUPS.keys(hosts)) pipeline.hget(key, "group");
  const replies = (await pipeline.exec()) ?? [];
  hosts.forEach((host, i) => {
    const group = replies[i]?.[1];
    out.set(host, typeof group === "string" && group !== "" ? group : undefined);
  });
  return out;
}
