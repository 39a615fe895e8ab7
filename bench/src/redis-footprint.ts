import type { Redis } from "ioredis";

/** Calls per Redis command so far (INFO commandstats; a script's inner calls count under their own command). */
export async function redisCommandCalls(redis: Redis): Promise<Map<string, number>> {
  const info = await redis.info("commandstats");
  const calls = new Map<string, number>();
  for (const match of info.matchAll(/^cmdstat_([^:]+):calls=(\d+)/gm)) calls.set(match[1]!, Number(match[2]));
  return calls;
}

/** Calls per command between two readings, divided by `per`, largest first. */
export function callsPer(before: Map<string, number>, after: Map<string, number>, per: number): Record<string, number> {
  const rows = [...after].map(([name, n]) => [name, (n - (before.get(name) ?? 0)) / per] as const).filter(([, n]) => n > 0);
  return Object.fromEntries(rows.sort((a, b) => b[1] - a[1]).map(([name, n]) => [name, Number(n.toFixed(2))]));
}

/**
 * Bytes held per kind of key (MEMORY USAGE, every nested value counted): keys that differ
 * only in their last `:` part (a job id, a host) are counted together as `…:<id>`, every
 * other key under its own name. For a benchmark's own Redis only: it walks the keyspace.
 */
export async function redisKeyBytes(redis: Redis): Promise<Record<string, { keys: number; bytes: number }>> {
  const stems = new Map<string, { key: string; bytes: number }[]>();
  let cursor = "0";
  do {
    const [next, keys] = await redis.scan(cursor, "COUNT", 1_000);
    cursor = next;
    const pipeline = redis.pipeline();
    for (const key of keys) pipeline.call("MEMORY", "USAGE", key, "SAMPLES", "0");
    const sizes = (await pipeline.exec()) ?? [];
    keys.forEach((key, i) => {
      const stem = key.replace(/:[^:}]*$/, ":<id>");
      const group = stems.get(stem) ?? stems.set(stem, []).get(stem)!;
      group.push({ key, bytes: Number(sizes[i]?.[1] ?? 0) });
    });
  } while (cursor !== "0");
  const kinds: Record<string, { keys: number; bytes: number }> = {};
  for (const [stem, group] of stems) {
    if (group.length === 1) kinds[group[0]!.key] = { keys: 1, bytes: group[0]!.bytes };
    else kinds[stem] = { keys: group.length, bytes: group.reduce((sum, k) => sum + k.bytes, 0) };
  }
  return kinds;
}

/** Bytes per host by kind of key, largest first, labelled with the number of keys. */
export function bytesPerHostByKey(kinds: Record<string, { keys: number; bytes: number }>, hosts: number): Record<string, number> {
  return Object.fromEntries(Object.entries(kinds).sort((a, b) => b[1].bytes - a[1].bytes).map(([kind, k]) => [`${kind} (${k.keys} keys)`, Math.round(k.bytes / hosts)]));
}

/** The scheduler's tick histogram from its /metrics: rounds, total seconds, and cumulative bucket counts. */
export async function schedulerTicks(metricsUrl: string): Promise<{ count: number; sum: number; buckets: [number, number][] }> {
  const text = await (await fetch(metricsUrl)).text();
  const value = (name: string) => Number(new RegExp(`^${name} ([0-9.e+-]+)$`, "m").exec(text)?.[1] ?? NaN);
  const buckets: [number, number][] = [...text.matchAll(/^fleetwatch_scheduler_tick_duration_seconds_bucket\{le="([^"]+)"\} (\d+)$/gm)].map((m) => [m[1] === "+Inf" ? Infinity : Number(m[1]), Number(m[2])]);
  return { count: value("fleetwatch_scheduler_tick_duration_seconds_count"), sum: value("fleetwatch_scheduler_tick_duration_seconds_sum"), buckets };
}

/** Upper bound of the histogram bucket holding quantile `q` of the rounds between two readings. */
export function tickQuantileBound(before: { buckets: [number, number][] }, after: { buckets: [number, number][] }, q: number): number {
  const total = (after.buckets.at(-1)?.[1] ?? 0) - (before.buckets.at(-1)?.[1] ?? 0);
  for (const [i, [le, n]] of after.buckets.entries()) if (n - (before.buckets[i]?.[1] ?? 0) >= q * total) return le;
  return Infinity;
}
