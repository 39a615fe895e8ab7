import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { acquireLease, claimBatch, decideDue, dueHosts, enrollDue, hostOffset, KEYS, redisNow, slotAt } from "@fleetwatch/core";
import type { RedisHandle } from "@fleetwatch/testkit";
import { startRedis } from "@fleetwatch/testkit";

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

const lastStart = async (host: string) => Number((await redis.hget(KEYS.lastSlot, host))!.split("|")[0]);
const dueAt = async (host: string) => Number(await redis.zscore(KEYS.due, host));

describe("batch slot claim script (real Redis)", () => {
  it("claims each due host's current slot by Redis's clock, as decideDue says, and makes it due at its next slot", async () => {
    const lease = (await acquireLease(redis, "a", 60_000))!;
    const hosts = ["web-1", "web-2", "2001:db8::7"];
    await enrollDue(redis, lease, hosts, "missing");
    const { due } = await dueHosts(redis, 10);
    expect(due.map((d) => d.host).sort()).toEqual([...hosts].sort());
    const outcome = await claimBatch(redis, lease, hosts.map((name) => ({ name, intervalMs: 60_000, busy: false })), [], 1_000);
    if (outcome === "not-leader") throw new Error("not leader");
    expect(outcome.claimed.map((c) => c.host).sort()).toEqual([...hosts].sort());
    for (const claim of outcome.claimed) {
      const expected = decideDue({ intervalMs: 60_000, offsetMs: hostOffset(claim.host, 60_000), busy: false }, outcome.now, 1_000);
      expect(expected).toMatchObject({ kind: "claim", slotStart: claim.slotStart });
      expect(await redis.hget(KEYS.lastSlot, claim.host)).toBe(`${claim.slotStart}|${claim.jobId}`);
      expect(await dueAt(claim.host)).toBe(claim.slotStart + 60_000);
    }
    expect(outcome.claimed.find((c) => c.host === "2001:db8::7")!.jobId).not.toContain(":");
    // Nothing is due any more, and a second claim of the same slot is taken.
    expect((await dueHosts(redis, 10)).due).toEqual([]);
    const again = await claimBatch(redis, lease, [{ name: "web-1", intervalMs: 60_000, busy: false }], [], 1_000);
    expect(again !== "not-leader" && again.claimed).toEqual([]);
  });

  it("refuses the whole batch under a lease that is no longer the holder's", async () => {
    const first = (await acquireLease(redis, "a", 60_000))!;
    await enrollDue(redis, first, ["web-1"], "missing");
    await redis.del(KEYS.schedulerLease);
    const second = (await acquireLease(redis, "b", 60_000))!;
    expect(await claimBatch(redis, first, [{ name: "web-1", intervalMs: 60_000, busy: false }], [], 1_000)).toBe("not-leader");
    expect(await enrollDue(redis, first, ["web-2"], "reset")).toBe(false);
    expect(await redis.hget(KEYS.lastSlot, "web-1")).toBeNull();
    expect(await redis.zscore(KEYS.due, "web-2")).toBeNull();
    const outcome = await claimBatch(redis, second, [{ name: "web-1", intervalMs: 60_000, busy: false }], [], 1_000);
    expect(outcome !== "not-leader" && outcome.claimed.map((c) => c.host)).toEqual(["web-1"]);
  });

  it("neither doubles nor skips a check when a host's interval shortens", async () => {
    const lease = (await acquireLease(redis, "a", 60_000))!;
    const tenMin = 600_000;
    const current = slotAt(await redisNow(redis), tenMin, hostOffset("web-1", tenMin)).start;
    // Claimed five minutes before the current 10-minute slot, under the old (hourly) interval: the current slot would double it.
    await redis.hset(KEYS.lastSlot, "web-1", `${current - 300_000}|web-1.${current - 300_000}`);
    const outcome = await claimBatch(redis, lease, [{ name: "web-1", intervalMs: tenMin, busy: false }], [], 1_000);
    expect(outcome !== "not-leader" && outcome.claimed).toEqual([]);
    expect(await lastStart("web-1")).toBe(current - 300_000);
    // Due at the next slot, five minutes after the last claim would be too early, so the one after: ten minutes on.
    expect(await dueAt("web-1")).toBe(current + tenMin);
  });

  it("claims the current slot when the last claim started a whole new interval before it", async () => {
    const lease = (await acquireLease(redis, "a", 60_000))!;
    const minute = 60_000;
    const current = slotAt(await redisNow(redis), minute, hostOffset("web-1", minute)).start;
    await redis.hset(KEYS.lastSlot, "web-1", `${current - minute}|web-1.${current - minute}`);
    const outcome = await claimBatch(redis, lease, [{ name: "web-1", intervalMs: minute, busy: false }], [], 1_000);
    expect(outcome !== "not-leader" && outcome.claimed).toEqual([expect.objectContaining({ host: "web-1", slotStart: current })]);
  });

  it("does not pile on a host whose previous check is still queued: no claim, looked at again later", async () => {
    const lease = (await acquireLease(redis, "a", 60_000))!;
    await redis.hset(KEYS.lastSlot, "web-1", "1000|web-1.1000");
    const outcome = await claimBatch(redis, lease, [{ name: "web-1", intervalMs: 60_000, busy: true }], [], 1_000);
    if (outcome === "not-leader") throw new Error("not leader");
    expect(outcome.claimed).toEqual([]);
    expect(await redis.hget(KEYS.lastSlot, "web-1")).toBe("1000|web-1.1000");
    expect(await dueAt("web-1")).toBe(outcome.now + 6_000);
  });

  it("drops due hosts that are no longer members from the due set", async () => {
    const lease = (await acquireLease(redis, "a", 60_000))!;
    await enrollDue(redis, lease, ["gone", "web-1"], "missing");
    await claimBatch(redis, lease, [], ["gone"], 1_000);
    expect((await dueHosts(redis, 10)).due.map((d) => d.host)).toEqual(["web-1"]);
  });
});
