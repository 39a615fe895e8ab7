import { afterAll, beforeAll, expect, it } from "vitest";
import type { CheckJob } from "@fleetwatch/core";
import { CheckQueues, checkShardOf, readMembership, redisNow } from "@fleetwatch/core";
import { eventually, Pipeline } from "./pipeline-harness.js";

const p = new Pipeline();
// Two hosts in different shards (asserted below).
const SLOW = "places-slow";
const QUICK = "places-quick";

beforeAll(async () => {
  await p.start();
  const [hang] = await p.lab.startHosts({ behaviour: "hang" });
  const [healthy] = await p.lab.startHosts();
  p.writeConfig(await p.lab.writeKnownHosts("known_hosts", [hang!, healthy!]), [
    { name: SLOW, host: hang!, extra: "ssh: { commandTimeout: 4s }" },
    { name: QUICK, host: healthy! },
  ], {}, ["interval: 1h"]);
});
afterAll(async () => {
  await p.stop();
});

it("runs `concurrency` checks in the whole process, over all shards, and hands a check still waiting for a place back to its queue on SIGTERM", async () => {
  expect(checkShardOf(SLOW)).not.toBe(checkShardOf(QUICK));
  // The scheduler publishes the hosts' settings; its own jobs are cleared, the test adds its own.
  const scheduler = p.spawn("scheduler");
  const members = await eventually(async () => {
    const m = (await readMembership(p.redis)).members;
    return m.length === 2 ? m : undefined;
  }, 30_000, "the membership published");
  expect(await scheduler.stop()).toBe(0);
  const queues = new CheckQueues(p.redis);
  for (const q of queues.all()) await q.obliterate({ force: true });
  const job = async (name: string) => {
    const host = members.find((h) => h.name === name)!;
    const data: CheckJob = { host, slot: 1, slotStart: await redisNow(p.redis), configVersion: "test" };
    return queues.of(name).add("check", data, { jobId: `${name}.test` });
  };

  const worker = p.spawn("worker", { WORKER_CONCURRENCY: "1" });
  const slow = await job(SLOW);
  await eventually(async () => (await slow.getState()) === "active", 30_000, "the slow host's check running");
  const quick = await job(QUICK);
  // Taken by its shard's Worker, but the one place is the slow check's.
  await eventually(async () => (await quick.getState()) === "active", 30_000, "the quick host's job taken");
  expect(await p.latest(QUICK)).toBeUndefined();
  expect(await worker.stop()).toBe(0);
  expect(await queues.of(SLOW).getJobState(slow.id!)).toBe("completed");
  expect((await p.latest(SLOW))?.outcome).toBe("probe_timeout");
  // Never started here: back in its queue for the shard's next holder.
  expect(await queues.of(QUICK).getJobState(quick.id!)).toBe("waiting");
  expect(await p.latest(QUICK)).toBeUndefined();
  // The next worker runs it.
  p.spawn("worker");
  await eventually(async () => (await p.latest(QUICK))?.outcome === "ok", 30_000, "the handed-back check run by the next worker");
  await queues.close();
});
