import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LoadedFleet, ResolvedHost, ResultJob } from "@fleetwatch/core";
import { acquireLease, CheckQueues, claimSlot, KEYS, QUEUES, queueOptions, readMembership, readMembershipMeta } from "@fleetwatch/core";
import type { RedisHandle } from "@fleetwatch/testkit";
import { startRedis, waitFor } from "@fleetwatch/testkit";
import { Scheduler } from "../apps/scheduler/src/scheduler.js";

let server: RedisHandle;
let redis: Redis;
let checks: CheckQueues;
let results: Queue<ResultJob>;

const host = (name: string, intervalMs = 1_000): ResolvedHost => ({
  name,
  address: "127.0.0.1",
  ssh: { user: "u", port: 22, key: "/k", knownHosts: "/kh", hostKeyPolicy: "strict", connectTimeoutMs: 1, handshakeTimeoutMs: 1, commandTimeoutMs: 1 },
  intervalMs,
  for: 2,
  thresholds: { cpu: {}, memory: {}, swap: {}, load: {}, disk: {}, inodes: {}, mounts: {} },
  processes: [],
  mounts: "auto",
});
const fleet = (version: string, ...names: string[]): LoadedFleet => ({ file: "fleet.yaml", version, config: {} as LoadedFleet["config"], hosts: names.map((n) => host(n)) });

/** A logger that keeps what was said at warn. */
function recordingLog(): Logger & { warnings: string[] } {
  const warnings: string[] = [];
  const log = { warnings, info() {}, debug() {}, error() {}, warn: (_: unknown, msg: string) => warnings.push(msg) };
  return log as unknown as Logger & { warnings: string[] };
}

const replica = (id: string, f: LoadedFleet, log = recordingLog()) => ({ scheduler: new Scheduler(redis, (queueName) => checks.named(queueName), results, f, id, log, { leaseMs: 1_500 }), log });
const removals = async () => (await results.getJobs(["waiting", "delayed", "completed"])).filter((j) => j.data.kind === "host-removed").map((j) => j.data as Extract<ResultJob, { kind: "host-removed" }>);

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
});
afterEach(async () => {
  await checks?.close();
  await results?.close();
  await redis.flushall();
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

describe("scheduler membership", () => {
  it("lets only the leader publish: a replica on an older file follows, warns and announces no removal", async () => {
    checks = new CheckQueues(redis);
    results = new Queue(QUEUES.results, queueOptions(QUEUES.results, redis));
    const a = replica("a", fleet("new", "web-1", "web-2", "web-3"));
    await a.scheduler.tick();
    expect(a.scheduler.leading).toBe(true);
    const b = replica("b", fleet("old", "web-1", "web-2"));
    await b.scheduler.tick();
    expect(b.scheduler.leading).toBe(false);
    expect(b.log.warnings.some((w) => w.includes("differs from the published membership"))).toBe(true);
    expect((await readMembership(redis)).members.map((h) => h.name)).toEqual(["web-1", "web-2", "web-3"]);
    expect(await removals()).toEqual([]);
    // The follower checks nothing: every check job comes from the leader's membership, including web-3.
    await waitFor("web-3 to be checked", async () => (await checks.of("web-3").getJobs(["waiting"])).some((j) => j.data.host.name === "web-3"), 10_000);
  });

  it("takes over when the leader's lease lapses, following the published membership rather than its own older file", async () => {
    checks = new CheckQueues(redis);
    results = new Queue(QUEUES.results, queueOptions(QUEUES.results, redis));
    const a = replica("a", fleet("new", "web-1", "web-2", "web-3"));
    await a.scheduler.tick();
    const b = replica("b", fleet("old", "web-1", "web-2"));
    await b.scheduler.tick();
    // a dies without a word: b leads once the lease lapses.
    await waitFor("b to take over", async () => (await b.scheduler.tick(), b.scheduler.leading), 15_000);
    expect((await readMembershipMeta(redis)).generation).toBe(1);
    expect(await removals()).toEqual([]);
    // The deposed leader wakes up: its writes are fenced off.
    await a.scheduler.tick();
    expect(a.scheduler.leading).toBe(false);
    // An operator reloads b with the new file: now it publishes, and the removal carries the generation.
    b.scheduler.useConfig(fleet("newer", "web-1", "web-3"));
    await b.scheduler.tick();
    expect(await removals()).toEqual([expect.objectContaining({ host: "web-2", generation: 2 })]);
  });

  it("a standby reloaded (SIGHUP) with a file that differs warns, and does not publish it when it later takes over", async () => {
    checks = new CheckQueues(redis);
    results = new Queue(QUEUES.results, queueOptions(QUEUES.results, redis));
    const a = replica("a", fleet("new", "web-1", "web-2", "web-4"));
    await a.scheduler.tick();
    const b = replica("b", fleet("new", "web-1", "web-2", "web-4"));
    await b.scheduler.tick();
    // b is reloaded late, with the file from before web-3 went and web-4 came.
    b.scheduler.useConfig(fleet("old", "web-1", "web-2", "web-3"));
    await b.scheduler.tick();
    expect(b.scheduler.leading).toBe(false);
    expect(b.log.warnings.some((w) => w.includes("differs from the published membership"))).toBe(true);
    // The leader hands over (a restart): b schedules the published membership, not its file.
    await a.scheduler.stop();
    await b.scheduler.tick();
    expect(b.scheduler.leading).toBe(true);
    expect((await readMembership(redis)).members.map((h) => h.name)).toEqual(["web-1", "web-2", "web-4"]);
    expect((await readMembershipMeta(redis)).generation).toBe(1);
    expect(await removals()).toEqual([]);
    // Reloaded again while it leads: now it publishes.
    b.scheduler.useConfig(fleet("old", "web-1", "web-2", "web-3"));
    await b.scheduler.tick();
    expect((await readMembership(redis)).members.map((h) => h.name)).toEqual(["web-1", "web-2", "web-3"]);
  });

  it("announces a second removal of the same host within the hour, with its own generation", async () => {
    checks = new CheckQueues(redis);
    results = new Queue(QUEUES.results, queueOptions(QUEUES.results, redis));
    const a = replica("a", fleet("1", "web-1", "web-2"));
    await a.scheduler.tick();
    for (const [version, names] of [["2", ["web-1"]], ["3", ["web-1", "web-2"]], ["4", ["web-1"]]] as const) {
      a.scheduler.useConfig(fleet(version, ...names));
      await a.scheduler.tick();
    }
    expect((await removals()).map((r) => [r.host, r.generation]).sort()).toEqual([["web-2", 2], ["web-2", 4]]);
  });

  it("publishes the membership again and goes on checking when Redis loses its data (restarted without it)", async () => {
    checks = new CheckQueues(redis);
    results = new Queue(QUEUES.results, queueOptions(QUEUES.results, redis));
    const a = replica("a", fleet("v1", "web-1", "web-2"));
    await a.scheduler.tick();
    await waitFor("web-1 to be checked", async () => (await checks.of("web-1").getJobs(["waiting"])).length > 0, 10_000);
    await redis.flushall();
    for (let i = 0; i < 3; i++) await a.scheduler.tick();
    expect((await readMembership(redis)).members.map((h) => h.name)).toEqual(["web-1", "web-2"]);
    await waitFor("web-1 and web-2 to be checked again", async () => {
      const waiting = [...(await checks.of("web-1").getJobs(["waiting"])), ...(await checks.of("web-2").getJobs(["waiting"]))];
      return new Set(waiting.map((j) => j.data.host.name)).size === 2;
    }, 10_000);
    expect(await removals()).toEqual([]);
  });

  it("refuses a slot claim made under a lease that is no longer the holder's", async () => {
    const first = (await acquireLease(redis, "a", 60_000))!;
    await redis.del(KEYS.schedulerLease);
    const second = (await acquireLease(redis, "b", 60_000))!;
    expect(second.token).toBeGreaterThan(first.token);
    expect(await claimSlot(redis, first, "web-1", 1_000, 1_000, "web-1.1000")).toBe("not-leader");
    expect(await claimSlot(redis, second, "web-1", 1_000, 1_000, "web-1.1000")).toBe("claimed");
  });
});
