import { describe, expect, it } from "vitest";
import { CHECK_SHARD_COUNT, checkQueueName, checkQueueOf, checkShardOf, checkShards } from "./check-shards.js";
import { queuePrefix } from "./queue-names.js";

describe("check shards", () => {
  it("puts a host in the same shard every time, by name only", () => {
    expect(checkShardOf("web-1")).toBe(checkShardOf("web-1"));
    // Pinned: a change of the hash moves every host to another queue.
    expect(["web-1", "db-1", "2001:db8::7", "主机-1"].map(checkShardOf)).toEqual([31, 1, 1, 20]);
  });

  it("spreads many hosts evenly over the shards", () => {
    const counts = new Array<number>(CHECK_SHARD_COUNT).fill(0);
    for (let i = 0; i < 32_000; i++) counts[checkShardOf(`host-${i}.example.com`)]!++;
    expect(Math.min(...counts)).toBeGreaterThan(900);
    expect(Math.max(...counts)).toBeLessThan(1_100);
  });

  it("names each shard's queue with two digits, under a hash tag of its own", () => {
    expect(checkQueueName(0)).toBe("checks-00");
    expect(checkQueueName(7)).toBe("checks-07");
    expect(queuePrefix(checkQueueName(7))).toBe("fleetwatch:{checks-07}");
    expect(checkQueueOf("web-1")).toBe(checkQueueName(checkShardOf("web-1")));
    expect(new Set(checkShards().map(checkQueueName)).size).toBe(CHECK_SHARD_COUNT);
  });

  it("refuses a shard number out of range as a bug", () => {
    expect(() => checkQueueName(CHECK_SHARD_COUNT)).toThrow(/bug/);
    expect(() => checkQueueName(-1)).toThrow(/bug/);
  });
});
