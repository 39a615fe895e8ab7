import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckJob, LoadedFleet, ResolvedHost, ResultJob } from "@fleetwatch/core";
import { checkQueueOf, queueOptions, QUEUES } from "@fleetwatch/core";
import type { RedisHandle } from "@fleetwatch/testkit";
import { sampleMember, startRedis, waitFor } from "@fleetwatch/testkit";
import { Scheduler } from "../apps/scheduler/src/scheduler.js";

let server: RedisHandle;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

/** A member with the built-in settings, checked every 1 s. */
const host = (name: string): ResolvedHost => sampleMember(name, undefined, 1_000);
const quiet = { info() {}, debug() {}, warn() {}, error() {} } as unknown as Logger;

describe("scheduler with the due set (real Redis)", () => {
  it("does not pile on a host whose check is still queued, and checks it again once that one is gone", async () => {
    const queues = new Map<string, Queue<CheckJob>>();
    const queueOf = (name: string) => queues.get(name) ?? queues.set(name, new Queue<CheckJob>(name, queueOptions(name, redis))).get(name)!;
    const results = new Queue<ResultJob>(QUEUES.results, queueOptions(QUEUES.results, redis));
    const fleet: LoadedFleet = { file: "fleet.yaml", version: "1", config: {} as LoadedFleet["config"], hosts: [host("web-1"), host("web-2")] };
    const scheduler = new Scheduler(redis, queueOf, results, fleet, "a", quiet, { leaseMs: 5_000 });
    const checks = queueOf(checkQueueOf("web-1"));
    const jobsOf = async (name: string) => (await checks.getJobs(["waiting"])).filter((j) => j.data.host.name === name);
    await scheduler.tick();
    expect(scheduler.leading).toBe(true);
    expect(await jobsOf("web-1")).toHaveLength(1);
    // No worker takes it: for three more intervals web-1 gets no second job.
    const until = Date.now() + 3_000;
    while (Date.now() < until) {
      await scheduler.tick();
      await new Promise((r) => setTimeout(r, 100));
    }
    expect(await jobsOf("web-1")).toHaveLength(1);
    // The queued check finishes (here: removed, as a completed job is): the next look enqueues a new slot.
    const [first] = await jobsOf("web-1");
    await first!.remove();
    const next = await waitFor("a new check of web-1", async () => (await scheduler.tick(), (await jobsOf("web-1"))[0]), 10_000);
    expect(next.data.slotStart).toBeGreaterThan(first!.data.slotStart);
    await scheduler.stop();
    for (const q of queues.values()) await q.close();
    await results.close();
  });
});
