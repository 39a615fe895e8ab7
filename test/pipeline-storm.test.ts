import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResultJob } from "@fleetwatch/core";
import type { LabHost } from "@fleetwatch/testkit";
import { QUEUES, queueOptions, redisNow } from "@fleetwatch/core";
import { eventually, Pipeline } from "./pipeline-harness.js";

const p = new Pipeline();
const COUNT = 50;
const names = Array.from({ length: COUNT }, (_, i) => `node-${String(i).padStart(2, "0")}`);
let results: Queue<ResultJob>;

/** A worker's result, made up: the subject here is the notifier, not 50 SSH logins. */
const failed = (host: string, slotStart: number): ResultJob => ({
  kind: "result",
  slot: 0,
  slotStart,
  intervalMs: 5_000,
  for: 2,
  result: {
    version: 1,
    host: { name: host, address: "127.0.0.1", port: 22 },
    outcome: "ok",
    state: "critical",
    metrics: null,
    checks: [{ name: "process:fwstorm", state: "critical", message: "process fwstorm is not running" }],
    startedAt: slotStart,
    finishedAt: slotStart,
    durationMs: 1,
    timings: { connectMs: 0, handshakeMs: 0, commandMs: 0 },
    retried: false,
  },
});

beforeAll(async () => {
  await p.start();
  const knownHosts = join(p.lab.dir, "known_hosts");
  writeFileSync(knownHosts, "");
  // Timers in the proportions of the defaults (interval 60s, groupWait 30s, groupInterval 5m).
  const nowhere = { address: "127.0.0.1", port: 22 } as LabHost;
  p.writeConfig(knownHosts, names.map((name) => ({ name, host: nowhere })), { groupWait: "2500ms", groupInterval: "25s" }, ["interval: 5s"]);
  p.spawn("notifier");
  results = new Queue(QUEUES.results, queueOptions(QUEUES.results, p.redis));
});
afterAll(async () => {
  await results?.close();
  await p.stop();
});

describe("a storm: 50 hosts fail at once", () => {
  it("sends at most 3 messages that name every host, without hitting DingTalk's rate limit", async () => {
    const now = await redisNow(p.redis);
    for (const slotStart of [now - 5_000, now]) {
      await results.addBulk(names.map((name) => ({ name: "result", data: failed(name, slotStart), opts: { jobId: `${name}.${slotStart}` } })));
    }
    const named = () => {
      const text = p.standIn.received.map((m) => m.text).join("\n");
      return names.every((name) => text.includes(name));
    };
    await eventually(named, 60_000, "every host to be named");
    // Nothing more is due before groupInterval (25 s): wait until the notifier has surely sent all it would at once.
    await eventually(async () => (await results.getJobCounts("waiting", "active")).waiting === 0, 30_000, "every result consumed");
    await new Promise((r) => setTimeout(r, 2_000));
    expect(p.standIn.received.length).toBeLessThanOrEqual(3);
    expect(p.standIn.attempts.filter((a) => a.errcode === 130101)).toEqual([]);
  }, 180_000);
});
