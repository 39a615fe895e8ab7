import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { CHECK_SHARD_COUNT, KEYS, shardHolders, ShardLeases } from "@fleetwatch/core";
import type { RedisHandle } from "@fleetwatch/testkit";
import { startRedis, waitFor } from "@fleetwatch/testkit";

let server: RedisHandle;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
});
afterEach(async () => {
  await redis.flushall();
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

const holderIds = async () => (await shardHolders(redis)).map((v) => v?.slice(0, v.lastIndexOf("|")));
const count = (ids: (string | undefined)[], id: string) => ids.filter((h) => h === id).length;

/** Rounds until nothing changes (each worker acts on its own part, as the renew loop does). */
async function settle(...workers: ShardLeases[]): Promise<void> {
  for (let i = 0; i < 6; i++) {
    for (const w of workers) {
      const round = await w.round();
      if (round.giveUp.length > 0) await w.release(round.giveUp);
    }
  }
}

describe("shard leases in Redis", () => {
  it("gives a lone worker every shard", async () => {
    const a = new ShardLeases(redis, "a", 10_000);
    const round = await a.round();
    expect(round.consume).toHaveLength(CHECK_SHARD_COUNT);
    expect(round.workers).toBe(1);
    expect(count(await holderIds(), "a")).toBe(CHECK_SHARD_COUNT);
  });

  it("shares the shards half and half once a second worker joins, each given up only after its release", async () => {
    const a = new ShardLeases(redis, "a", 10_000);
    const b = new ShardLeases(redis, "b", 10_000);
    await a.round();
    // b joins: its shards are still a's until a gives them up.
    expect((await b.round()).consume).toEqual([]);
    const aRound = await a.round();
    expect(aRound.giveUp).toHaveLength(CHECK_SHARD_COUNT / 2);
    expect(aRound.consume).toHaveLength(CHECK_SHARD_COUNT / 2);
    expect((await b.round()).consume).toEqual([]);
    await a.release(aRound.giveUp);
    expect((await b.round()).consume).toEqual(aRound.giveUp);
    const ids = await holderIds();
    expect([count(ids, "a"), count(ids, "b")]).toEqual([CHECK_SHARD_COUNT / 2, CHECK_SHARD_COUNT / 2]);
  });

  it("takes over a dead worker's shards once its lease lapses, never before", async () => {
    const dead = new ShardLeases(redis, "dead", 1_000);
    const alive = new ShardLeases(redis, "alive", 1_000);
    await settle(dead, alive);
    const deadShards = dead.holding();
    expect(deadShards).toHaveLength(CHECK_SHARD_COUNT / 2);
    // Straight away: the shards are still leased, nothing is taken.
    expect((await alive.round()).consume).toHaveLength(CHECK_SHARD_COUNT / 2);
    const takenAt = Date.now();
    await waitFor("the dead worker's shards taken over", async () => (await alive.round()).consume.length === CHECK_SHARD_COUNT, 10_000);
    expect(Date.now() - takenAt).toBeGreaterThan(300);
    expect(count(await holderIds(), "alive")).toBe(CHECK_SHARD_COUNT);
  });

  it("fences a worker whose lease lapsed: it cannot renew a shard another worker took, and learns it lost it", async () => {
    const slow = new ShardLeases(redis, "slow", 500);
    await slow.round();
    const other = new ShardLeases(redis, "other", 10_000);
    await waitFor("the other worker to hold every shard", async () => (await other.round()).consume.length === CHECK_SHARD_COUNT, 10_000);
    // The slow worker wakes up: it is alive again and gets half in the assignment, but its
    // old tokens are refused, and it takes nothing until the other gives shards up.
    const round = await slow.round();
    expect(round.lost).toHaveLength(CHECK_SHARD_COUNT);
    expect(round.consume).toEqual([]);
    expect(count(await holderIds(), "other")).toBe(CHECK_SHARD_COUNT);
  });

  it("releases every shard and unregisters on leave, so the others take them at their next round", async () => {
    const a = new ShardLeases(redis, "a", 10_000);
    const b = new ShardLeases(redis, "b", 10_000);
    await settle(a, b);
    await a.leave();
    expect(await redis.zrange(KEYS.shardWorkers, 0, -1)).toEqual(["b"]);
    expect((await b.round()).consume).toHaveLength(CHECK_SHARD_COUNT);
  });

  it("gives a newcomer shards only once it has lasted one lease, so a worker crashing at start-up holds none", async () => {
    const old = new ShardLeases(redis, "old", 1_000);
    /** Renewal rounds every 200 ms for `ms`, as the renew loop does. */
    const renewFor = async (ms: number, ...workers: ShardLeases[]) => {
      for (const end = Date.now() + ms; Date.now() < end; await new Promise((r) => setTimeout(r, 200))) for (const w of workers) await w.round();
    };
    await renewFor(1_100, old);
    expect((await old.round()).consume).toHaveLength(CHECK_SHARD_COUNT);
    const fresh = new ShardLeases(redis, "fresh", 1_000);
    const first = await fresh.round();
    expect(first.workers).toBe(2);
    expect(first.consume).toEqual([]);
    expect((await old.round()).giveUp).toEqual([]);
    await renewFor(1_100, old, fresh);
    expect((await old.round()).giveUp).toHaveLength(CHECK_SHARD_COUNT / 2);
  });

    it("never lets two workers hold the same shard", async () => {
    const workers = ["w1", "w2", "w3"].map((id) => new ShardLeases(redis, id, 10_000));
    await settle(...workers);
    const held = workers.flatMap((w) => w.holding());
    expect(new Set(held).size).toBe(held.length);
    expect(held).toHaveLength(CHECK_SHARD_COUNT);
    expect(workers.map((w) => w.holding().length).sort()).toEqual([10, 11, 11]);
  });
});
