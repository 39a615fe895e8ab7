import { describe, expect, it } from "vitest";
import type { CheckResult } from "@fleetwatch/core";
import { checkShardOf, CpuBaselines, KEYS, storeLatestResult } from "@fleetwatch/core";
import { sampleResult } from "@fleetwatch/testkit";
import { usePrivateRedis } from "./private-redis.js";

const own = usePrivateRedis();

const MIN = 60_000;

/** A result whose probe read CPU counters `busy`/`total` at `uptime`. */
function withCounters(host: string, busy: number, total: number, uptimeSeconds: number): CheckResult {
  const result = sampleResult({ host });
  const metrics = result.metrics!;
  return { ...result, metrics: { ...metrics, bootId: "boot-1", cpu: { ...metrics.cpu, counters: { busy, total, uptimeSeconds } } } };
}

/** Stores a result as the host's latest, as a worker does, and lets `baselines` know. */
async function checked(baselines: CpuBaselines, result: CheckResult, slotStart: number): Promise<boolean> {
  const stored = await storeLatestResult(own.redis, result, slotStart, 10 * MIN, MIN);
  baselines.remember(result.host.name, result.metrics, stored);
  return stored;
}

describe("CPU counters kept by the worker between a host's checks", () => {
  it("reads the stored counters when it has none, then uses its own without reading Redis", async () => {
    const writer = new CpuBaselines(own.redis, 100);
    await checked(writer, withCounters("kept-a", 100, 1_000, 50), 1 * MIN);
    const fresh = new CpuBaselines(own.redis, 100);
    expect(await fresh.previous("kept-a")).toEqual({ bootId: "boot-1", busy: 100, total: 1_000, uptimeSeconds: 50 });

    await checked(fresh, withCounters("kept-a", 200, 2_000, 110), 2 * MIN);
    await own.redis.hdel(KEYS.latestResult("kept-a"), "cpu");
    expect(await fresh.previous("kept-a")).toEqual({ bootId: "boot-1", busy: 200, total: 2_000, uptimeSeconds: 110 });
  });

  it("keeps the previous counters after a check that read none, as the stored result does", async () => {
    const baselines = new CpuBaselines(own.redis, 100);
    await checked(baselines, withCounters("kept-b", 300, 3_000, 10), 1 * MIN);
    await checked(baselines, sampleResult({ host: "kept-b", outcome: "ssh_timeout" }), 2 * MIN);
    expect(await baselines.previous("kept-b")).toMatchObject({ busy: 300, total: 3_000 });
  });

  it("goes back to Redis when its result was not stored as the latest (another worker's is newer)", async () => {
    const other = new CpuBaselines(own.redis, 100);
    const baselines = new CpuBaselines(own.redis, 100);
    await checked(baselines, withCounters("kept-c", 10, 100, 10), 1 * MIN);
    await checked(other, withCounters("kept-c", 40, 400, 70), 3 * MIN);
    expect(await checked(baselines, withCounters("kept-c", 20, 200, 40), 2 * MIN)).toBe(false);
    expect(await baselines.previous("kept-c")).toMatchObject({ busy: 40, total: 400 });
  });

  it("forgets the hosts of a shard that moved: their next check reads what the other worker left", async () => {
    const baselines = new CpuBaselines(own.redis, 100);
    await checked(baselines, withCounters("kept-d", 10, 100, 10), 1 * MIN);
    await checked(baselines, withCounters("kept-e", 10, 100, 10), 1 * MIN);
    // Meanwhile, another worker holding kept-d's shard checked it.
    await checked(new CpuBaselines(own.redis, 100), withCounters("kept-d", 90, 900, 70), 2 * MIN);
    expect(checkShardOf("kept-d")).not.toBe(checkShardOf("kept-e"));
    baselines.forgetShard(checkShardOf("kept-d"));
    expect(await baselines.previous("kept-d")).toMatchObject({ busy: 90, total: 900 });
    expect(baselines.size).toBe(1);
  });

  it("holds at most its limit, dropping the host checked longest ago", async () => {
    const baselines = new CpuBaselines(own.redis, 2);
    for (const [i, host] of ["kept-f", "kept-g", "kept-h"].entries()) await checked(baselines, withCounters(host, i, 100, 10), 5 * MIN);
    expect(baselines.size).toBe(2);
    await own.redis.hdel(KEYS.latestResult("kept-f"), "cpu");
    expect(await baselines.previous("kept-f")).toBeUndefined();
    expect(await baselines.previous("kept-h")).toMatchObject({ busy: 2 });
  });
});
