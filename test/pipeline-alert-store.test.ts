import type { Job } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from "vitest";
import type { LoadedFleet, ResultJob } from "@fleetwatch/core";
import { acquireLease, AlertStore, KEYS, publishMembership, readLane, redisNow } from "@fleetwatch/core";
import type { RedisHandle } from "@fleetwatch/testkit";
import { startRedis, waitFor } from "@fleetwatch/testkit";
import { Dispatcher } from "../apps/notifier/src/dispatcher.js";
import { syntheticResult } from "./synthetic-results.js";
import { resultProcessor } from "../apps/notifier/src/result-processor.js";

let server: RedisHandle;
let redis: Redis;
const quiet = { info() {}, debug() {}, warn() {}, error() {} } as unknown as Logger;

const result = (host: string, slotStart: number, state: "ok" | "critical" = "ok"): ResultJob => ({
  ...syntheticResult(host, slotStart, state, { check: "cpu", intervalMs: 1_000 }),
  slot: 1,
});
const asJob = (data: ResultJob) => ({ data }) as Job;

const fleet = {
  file: "fleet.yaml",
  version: "1",
  hosts: [],
  config: { notify: { groupWait: 0, groupInterval: 1_000, repeatInterval: 3_600_000, staleAfter: 3, locale: "en", dingtalk: [{ name: "ops", webhook: "${W}" }] } },
} as unknown as LoadedFleet;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
});
afterEach(async () => {
  vi.restoreAllMocks();
  await redis.flushall();
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

describe("alert state in Redis", () => {
  it("stamps results with Redis's clock, not the notifier's", async () => {
    vi.spyOn(Date, "now").mockReturnValue(0);
    const store = new AlertStore(redis);
    const redisTime = await redisNow(redis);
    await resultProcessor(store, () => 3, quiet)(asJob(result("web-1", redisTime)));
    expect((await store.load("web-1"))!.lastResultAt).toBeGreaterThanOrEqual(redisTime);
    expect((await store.lastResultSeen())!).toBeGreaterThanOrEqual(redisTime);
  });

  it("skips a document it cannot read, reports it, and replaces it when a result arrives", async () => {
    const unreadable: string[] = [];
    const store = new AlertStore(redis, (key) => unreadable.push(key));
    await resultProcessor(store, () => 3, quiet)(asJob(result("good", 1_000, "critical")));
    await redis.set(KEYS.hostAlerts("bad"), "{garbage");
    await redis.sadd(KEYS.activeHosts, "bad");
    expect((await store.loadMany(["bad", "good"])).map((h) => h.host)).toEqual(["good"]);
    expect(unreadable).toEqual([KEYS.hostAlerts("bad")]);
    await resultProcessor(store, () => 3, quiet)(asJob(result("bad", 1_000, "critical")));
    expect((await store.load("bad"))!.alerts.cpu!.status).toBe("firing");
  });

  it("leaves alone a document written by a newer fleetwatch", async () => {
    const store = new AlertStore(redis);
    await redis.set(KEYS.hostAlerts("h"), JSON.stringify({ format: 99 }));
    await resultProcessor(store, () => 3, quiet)(asJob(result("h", 1_000, "critical")));
    expect(JSON.parse((await redis.get(KEYS.hostAlerts("h")))!)).toEqual({ format: 99 });
  });

  it("keeps dispatching when one stored document is corrupt", async () => {
    const store = new AlertStore(redis);
    const dispatcher = new Dispatcher(redis, store, fleet, "d", quiet);
    await resultProcessor(store, () => 3, quiet)(asJob(result("good", await redisNow(redis), "critical")));
    await redis.set(KEYS.hostAlerts("bad"), "{garbage");
    await redis.sadd(KEYS.activeHosts, "bad");
    await redis.hset(KEYS.groups, "ops/x", "{garbage");
    await redis.hset(KEYS.silences, "s", "{garbage");
    await dispatcher.tick();
    expect((await readLane(redis, "ops")).map((m) => m.markdown).join()).toContain("good");
  });
});

describe("a monitor fault on a result", () => {
  it("raises one pipeline alert for the worker's file and holds the host's alerts", async () => {
    const store = new AlertStore(redis);
    const apply = resultProcessor(store, () => 3, quiet);
    const now = await redisNow(redis);
    await apply(asJob(result("web-1", now - 2_000, "critical")));
    const fault = { kind: "known_hosts" as const, monitor: "worker-3", file: "/etc/ssh/fleet_known_hosts", cause: "EISDIR", reason: "it is a directory" };
    for (const [i, host] of ["web-1", "web-2"].entries()) {
      const faulted = result(host, now - 1_000 + i, "ok");
      if (faulted.kind === "result") Object.assign(faulted.result, { version: 2, outcome: "hostkey_unknown", state: "unknown", checks: [], monitorFault: fault });
      await apply(asJob(faulted));
    }
    expect(Object.keys((await store.pipelineAlerts()).alerts)).toEqual(["fault:worker-3:/etc/ssh/fleet_known_hosts"]);
    expect((await store.load("web-1"))!.alerts.cpu!.status).toBe("firing");
    expect((await store.load("web-2"))?.alerts ?? {}).toEqual({});
  });
});

describe("monitoring stalled", () => {
  const setup = async (hosts: number) => {
    const store = new AlertStore(redis);
    const lease = (await acquireLease(redis, "s", 60_000))!;
    const h = (name: string) => ({ ...({} as never), name, intervalMs: 300 }) as never;
    await publishMembership(redis, lease, Array.from({ length: hosts }, (_, i) => h(`h${i}`)), "1");
    // A host that happens to be called fleetwatch, with an alert of its own.
    await resultProcessor(store, () => 3, quiet)(asJob(result("fleetwatch", await redisNow(redis), "critical")));
    await redis.del(KEYS.lastAnyResult);
    return { store, dispatcher: new Dispatcher(redis, store, fleet, "d", quiet) };
  };

  it("is judged by the membership's intervals and resolves once; a host named fleetwatch keeps its alerts", async () => {
    const { store, dispatcher } = await setup(2);
    await dispatcher.tick();
    expect((await store.pipelineAlerts()).alerts).toEqual({});
    const stalled = await waitFor("the stall (3 × 300 ms without results)", async () => (await dispatcher.tick(), (await store.pipelineAlerts()).alerts.stalled), 10_000);
    expect(stalled.status).toBe("firing");
    await waitFor("the stall to be decided", async () => (await dispatcher.tick(), (await store.pipelineAlerts()).alerts.stalled!.decided.ops), 10_000);
    // DingTalk confirms it (as a sender would): the RESOLVED is then owed.
    const [firingMessage] = await readLane(redis, "ops");
    await redis.rpush(KEYS.receipts, JSON.stringify({ robot: "ops", messageId: firingMessage!.messageId, outcome: "delivered", reports: firingMessage!.reports, at: 0 }));
    const resultsArrive = async () => resultProcessor(store, () => 3, quiet)(asJob(result("h0", await redisNow(redis))));
    await waitFor("the RESOLVED to be decided", async () => (await resultsArrive(), await dispatcher.tick(), (await store.pipelineAlerts()).alerts.stalled?.decided.ops === undefined), 10_000);
    for (let i = 0; i < 3; i++) {
      await resultsArrive();
      await dispatcher.tick();
    }
    const titles = (await readLane(redis, "ops")).map((m) => m.title);
    expect(titles.filter((t) => t.startsWith("[RESOLVED]"))).toHaveLength(1);
    expect((await store.load("fleetwatch"))!.alerts.cpu!.status).toBe("firing");
    expect((await store.load("fleetwatch"))!.alerts.stale).toBeUndefined();
  });

  it("never pages with no hosts in the membership", async () => {
    const { store, dispatcher } = await setup(0);
    for (let i = 0; i < 5; i++) {
      await dispatcher.tick();
      await new Promise((r) => setTimeout(r, 300));
    }
    expect((await store.pipelineAlerts()).alerts).toEqual({});
  });
});
