import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { TimelineEvent } from "@fleetwatch/core";
import {
  appendTimeline,
  expireHostHistory,
  HISTORY_BYTES_PER_HOST,
  HISTORY_RING_SIZE,
  KEYS,
  readFleetTimeline,
  readHistory,
  readHostTimeline,
  readLatestGroups,
  readLastFailure,
  readCpuBaseline,
  readLatestResult,
  readRecentHistory,
  storeLatestResult,
  TIMELINE_BYTES_PER_HOST,
  TIMELINE_EVENTS_PER_HOST,
  TIMELINE_MESSAGE_CHARS,
} from "@fleetwatch/core";
import type { RedisHandle } from "@fleetwatch/testkit";
import { sampleResult, startRedis, waitFor } from "@fleetwatch/testkit";

let handle: RedisHandle;
let redis: Redis;
beforeAll(async () => {
  handle = await startRedis();
  redis = new Redis(handle.url, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  redis?.disconnect();
  await handle?.stop();
});

const MIN = 60_000;
const hashTag = (key: string) => /\{([^}]*)\}/.exec(key)?.[1];

describe("history ring, written with the latest result", () => {
  it("stores the latest result and appends to the ring in one call; an older slot changes neither", async () => {
    const t0 = Date.UTC(2026, 10, 29, 12, 0, 0);
    expect(await storeLatestResult(redis, sampleResult({ host: "a", group: "web", at: t0, cpu: 10 }), 2, 10 * MIN, MIN)).toBe(true);
    expect(await storeLatestResult(redis, sampleResult({ host: "a", group: "web", at: t0 - MIN, cpu: 99 }), 1, 10 * MIN, MIN)).toBe(false);
    expect(await storeLatestResult(redis, sampleResult({ host: "a", group: "web", at: t0 + MIN, cpu: 20 }), 3, 10 * MIN, MIN)).toBe(true);
    expect((await readLatestResult(redis, "a"))!.metrics!.cpu.usedPercent).toBe(20);
    expect(await readLastFailure(redis, "a")).toBeUndefined();
    await storeLatestResult(redis, sampleResult({ host: "a", at: t0 + 2 * MIN, outcome: "auth_failed", reason: "publickey refused for monitor@a" }), 4, 10 * MIN, MIN);
    await storeLatestResult(redis, sampleResult({ host: "a", group: "web", at: t0 + 3 * MIN, cpu: 20 }), 5, 10 * MIN, MIN);
    expect(await readLastFailure(redis, "a")).toEqual({ at: t0 + 2 * MIN, outcome: "auth_failed", reason: "publickey refused for monitor@a" });
    expect((await readHistory(redis, "a")).map((e) => e.cpuPercent)).toEqual([20, undefined, 20, 10]);
    expect(await readLatestGroups(redis, ["a", "nobody"])).toEqual(new Map([["a", "web"], ["nobody", undefined]]));
    // the ring outlives a silent host for a whole ring's span of intervals, then expires
    const ttl = await redis.pttl(KEYS.history("a"));
    expect(ttl).toBeGreaterThan((HISTORY_RING_SIZE - 1) * MIN);
    expect(ttl).toBeLessThanOrEqual(HISTORY_RING_SIZE * MIN);
  });

  it("keeps the CPU counters a check leaves for the next; a check that read none, or failed, leaves the previous ones", async () => {
    const t0 = Date.UTC(2026, 10, 29, 12, 0, 0);
    const withCounters = (at: number, busy: number, total: number, uptimeSeconds: number) => {
      const r = sampleResult({ host: "cpu-1", at });
      r.metrics!.cpu.counters = { busy, total, uptimeSeconds };
      return r;
    };
    expect(await readCpuBaseline(redis, "cpu-1")).toBeUndefined();
    await storeLatestResult(redis, withCounters(t0, 100, 1000, 50.5), 1, 10 * MIN, MIN);
    expect(await readCpuBaseline(redis, "cpu-1")).toEqual({ bootId: "boot", busy: 100, total: 1000, uptimeSeconds: 50.5 });
    await storeLatestResult(redis, sampleResult({ host: "cpu-1", at: t0 + MIN }), 2, 10 * MIN, MIN);
    await storeLatestResult(redis, sampleResult({ host: "cpu-1", at: t0 + 2 * MIN, outcome: "unreachable" }), 3, 10 * MIN, MIN);
    expect(await readCpuBaseline(redis, "cpu-1")).toEqual({ bootId: "boot", busy: 100, total: 1000, uptimeSeconds: 50.5 });
    // an older slot does not replace them
    await storeLatestResult(redis, withCounters(t0 - MIN, 1, 10, 1), 0, 10 * MIN, MIN);
    expect((await readCpuBaseline(redis, "cpu-1"))!.busy).toBe(100);
    await storeLatestResult(redis, withCounters(t0 + 3 * MIN, 700, 13_000, 170.5), 4, 10 * MIN, MIN);
    expect(await readCpuBaseline(redis, "cpu-1")).toEqual({ bootId: "boot", busy: 700, total: 13_000, uptimeSeconds: 170.5 });
  });

  it("keeps a fixed number of entries within its byte budget after many results", async () => {
    const t0 = Date.UTC(2026, 10, 29, 0, 0, 0);
    for (let slot = 1; slot <= HISTORY_RING_SIZE * 3; slot++) {
      const r = sampleResult({ host: "busy-host.example.com", at: t0 + slot * MIN, cpu: (slot * 7.3) % 100, memory: 55.5, disk: 91.25, load: 12.34, missing: slot % 5 === 0 ? ["kubelet", "containerd"] : [] });
      await storeLatestResult(redis, r, slot, 10 * MIN, MIN);
    }
    expect(await redis.llen(KEYS.history("busy-host.example.com"))).toBe(HISTORY_RING_SIZE);
    const bytes = Number(await redis.call("MEMORY", "USAGE", KEYS.history("busy-host.example.com"), "SAMPLES", "0"));
    console.log(`history ring: ${HISTORY_RING_SIZE} entries, ${bytes} bytes (budget ${HISTORY_BYTES_PER_HOST})`);
    expect(bytes).toBeLessThanOrEqual(HISTORY_BYTES_PER_HOST);
    const newest = (await readHistory(redis, "busy-host.example.com", 1))[0]!;
    expect(newest.at).toBe(t0 + HISTORY_RING_SIZE * 3 * MIN);
    expect(newest.missingProcesses).toEqual(["containerd", "kubelet"]);
  });

  it("reads the recent entries of many hosts in one round trip", async () => {
    const recent = await readRecentHistory(redis, ["a", "busy-host.example.com", "never-seen"], 5);
    expect(recent.get("a")).toHaveLength(4);
    expect(recent.get("busy-host.example.com")).toHaveLength(5);
    expect(recent.get("never-seen")).toEqual([]);
  });

  it("puts the latest result and the ring under one hash tag (one cluster slot for the script)", () => {
    for (const host of ["a", "2001:db8::1", "{odd}"]) expect(hashTag(KEYS.history(host))).toBe(hashTag(KEYS.latestResult(host)));
    expect(hashTag(KEYS.hostTimeline("{odd}"))).toBe(hashTag(KEYS.fleetTimeline));
  });
});

describe("alert timeline", () => {
  it("keeps the newest events per host within its byte budget and the fleet's newest too", async () => {
    const event = (i: number): TimelineEvent => ({ at: i, host: "db-1", check: "disk:/var/lib/postgresql", kind: i % 2 ? "fired" : "notified", severity: "critical", robot: "ops", message: `disk /var/lib/postgresql ${"is nearly full ".repeat(20)}${i}` });
    for (let i = 0; i < TIMELINE_EVENTS_PER_HOST * 2; i++) await appendTimeline(redis, [event(i)]);
    const events = await readHostTimeline(redis, "db-1");
    expect(events).toHaveLength(TIMELINE_EVENTS_PER_HOST);
    expect(events[0]!.at).toBe(TIMELINE_EVENTS_PER_HOST * 2 - 1);
    expect(events[0]!.message!.length).toBeLessThanOrEqual(TIMELINE_MESSAGE_CHARS);
    const bytes = Number(await redis.call("MEMORY", "USAGE", KEYS.hostTimeline("db-1"), "SAMPLES", "0"));
    console.log(`timeline: ${TIMELINE_EVENTS_PER_HOST} events, ${bytes} bytes (budget ${TIMELINE_BYTES_PER_HOST})`);
    expect(bytes).toBeLessThanOrEqual(TIMELINE_BYTES_PER_HOST);
    expect((await readFleetTimeline(redis, 3)).map((e) => e.at)).toEqual([199, 198, 197]);
  });

  it("lets the history and timeline of a removed host expire, never later than they would have", async () => {
    await redis.pexpire(KEYS.history("a"), 60_000);
    await expireHostHistory(redis, "a", 3_600_000);
    expect(await redis.pttl(KEYS.history("a"))).toBeLessThanOrEqual(60_000);
    expect(await redis.pttl(KEYS.hostTimeline("a"))).toBe(-2);
    await expireHostHistory(redis, "db-1", 50);
    await expireHostHistory(redis, "a", 50);
    await waitFor("the removed host's keys to expire", async () => (await redis.exists(KEYS.hostTimeline("db-1"), KEYS.history("a"))) === 0, 10_000);
  });
});
