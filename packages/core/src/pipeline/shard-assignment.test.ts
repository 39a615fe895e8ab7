import { describe, expect, it } from "vitest";
import { assignShards } from "./shard-assignment.js";

const counts = (owners: readonly (string | undefined)[]) => {
  const c: Record<string, number> = {};
  for (const o of owners) if (o) c[o] = (c[o] ?? 0) + 1;
  return c;
};
const moved = (before: readonly (string | undefined)[], after: readonly (string | undefined)[]) => after.filter((o, i) => before[i] !== undefined && o !== before[i]).length;

/**
 * A fleet of workers on a timeline: each step every live worker takes the free shards the
 * assignment gives it and drops those given to another, as the renew loop does.
 */
function settle(workers: string[], holders: (string | undefined)[]): (string | undefined)[] {
  let current = Array.from({ length: 32 }, (_, i) => holders[i]).map((h) => (h && workers.includes(h) ? h : undefined));
  for (let round = 0; round < 5; round++) {
    const target = assignShards(current.length, workers, current);
    // Give up first (a holder releases what is no longer its), then take what is free.
    const released = current.map((h, i) => (h !== undefined && target[i] !== h ? undefined : h));
    const next = released.map((h, i) => h ?? target[i]);
    if (next.every((h, i) => h === current[i])) break;
    current = next;
  }
  return current;
}

describe("shard assignment", () => {
  it("gives one worker every shard", () => {
    expect(assignShards(32, ["w1"], [])).toEqual(new Array(32).fill("w1"));
  });

  it("leaves every shard free when no worker is alive", () => {
    expect(assignShards(4, [], ["w1", "w1", "w2", undefined])).toEqual([undefined, undefined, undefined, undefined]);
  });

  it("balances within one shard, whatever the number of workers", () => {
    for (let n = 1; n <= 40; n++) {
      const workers = Array.from({ length: n }, (_, i) => `w${i}`);
      const owners = assignShards(32, workers, []);
      expect(owners.every((o) => o !== undefined)).toBe(true);
      const c = Object.values(counts(owners));
      expect(Math.max(...c) - Math.min(...c)).toBeLessThanOrEqual(1);
    }
  });

  it("on a join, moves only the new worker's share, taken evenly from the others", () => {
    const before = settle(["a", "b"], []);
    expect(counts(before)).toEqual({ a: 16, b: 16 });
    const after = settle(["a", "b", "c"], before);
    expect(counts(after)).toEqual({ a: 11, b: 11, c: 10 });
    expect(moved(before, after)).toBe(10);
  });

  it("on a clean leave or a death, hands only that worker's shards to the others", () => {
    const before = settle(["a", "b", "c"], []);
    const after = settle(["a", "c"], before);
    expect(counts(after)).toEqual({ a: 16, c: 16 });
    for (let shard = 0; shard < 32; shard++) if (before[shard] !== "b") expect(after[shard]).toBe(before[shard]);
  });

  it("treats a shard still leased to a worker that stopped renewing as free", () => {
    const owners = assignShards(4, ["a", "b"], ["dead", "dead", "a", "b"]);
    expect(owners).toEqual(["a", "b", "a", "b"]);
  });

  it("breaks ties by shards held, then by worker id, the same in every worker", () => {
    // 5 shards, 2 workers: the one holding more keeps the larger share.
    expect(counts(assignShards(5, ["a", "b"], ["b", "b", "b", "a", undefined]))).toEqual({ a: 2, b: 3 });
    // Nobody holds anything: the lower id gets the larger share; input order does not matter.
    expect(assignShards(5, ["b", "a"], [])).toEqual(assignShards(5, ["a", "b"], []));
    expect(counts(assignShards(5, ["b", "a"], []))).toEqual({ a: 3, b: 2 });
    expect(assignShards(3, ["a", "a", "b"], [])).toEqual(assignShards(3, ["a", "b"], []));
  });

  it("keeps a settled assignment as it is", () => {
    const settled = settle(["x", "y", "z"], []);
    expect(assignShards(32, ["z", "x", "y"], settled)).toEqual(settled);
  });

  it("more workers than shards: each shard has one owner, the rest idle", () => {
    const workers = Array.from({ length: 40 }, (_, i) => `w${String(i).padStart(2, "0")}`);
    const owners = assignShards(32, workers, []);
    expect(new Set(owners).size).toBe(32);
  });
});
