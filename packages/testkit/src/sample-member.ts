import type { Redis } from "ioredis";
import type { ResolvedHost } from "@fleetwatch/core";
import { BUILTIN_DEFAULTS, KEYS } from "@fleetwatch/core";

/** A host's resolved settings with the built-in defaults, as the scheduler publishes them. */
export function sampleMember(name: string, group?: string, intervalMs: number = BUILTIN_DEFAULTS.intervalMs): ResolvedHost {
  const d = BUILTIN_DEFAULTS;
  return {
    name,
    address: "127.0.0.1",
    ...(group === undefined ? {} : { group }),
    ssh: { ...d.ssh },
    intervalMs,
    for: d.for,
    thresholds: { ...d.thresholds, mounts: {} },
    processes: [],
    mounts: "auto",
  };
}

/** Writes hosts into the published membership, as a leading scheduler would (for tests and benchmarks). */
export async function publishSampleMembers(redis: Redis, members: readonly ResolvedHost[]): Promise<void> {
  for (let i = 0; i < members.length; i += 1000) {
    await redis.hset(KEYS.members, Object.fromEntries(members.slice(i, i + 1000).map((m) => [m.name, JSON.stringify(m)])));
  }
  await redis.hset(KEYS.membership, "generation", "1", "hosts", String(members.length));
}
