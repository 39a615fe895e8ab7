import { describe, expect, it } from "vitest";
import type { LoadedFleet } from "@fleetwatch/core";
import { workerSettings } from "./worker-settings.js";

const fleet = (...intervalsMs: number[]): LoadedFleet =>
  ({ file: "fleet.yaml", version: "1", config: {}, hosts: intervalsMs.map((intervalMs, i) => ({ name: `h-${i}`, intervalMs })) }) as unknown as LoadedFleet;

describe("worker settings: shard leases", () => {
  it("lasts a quarter of the shortest interval, renewed three times per lease, so a killed worker's shards move within one interval", () => {
    const s = workerSettings(fleet(60_000, 20_000), {});
    expect(s.shardLeaseMs).toBe(5_000);
    expect(s.shardRenewMs).toBe(1_666);
    expect(s.shardLeaseMs + s.shardRenewMs).toBeLessThan(20_000);
  });

  it("never lasts more than 15 s (long intervals) nor less than 2 s (second-long test intervals)", () => {
    expect(workerSettings(fleet(3_600_000), {}).shardLeaseMs).toBe(15_000);
    expect(workerSettings(fleet(), {}).shardLeaseMs).toBe(15_000);
    expect(workerSettings(fleet(1_000), {}).shardLeaseMs).toBe(2_000);
  });
});
