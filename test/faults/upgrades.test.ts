import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { ResolvedHost, ResultJob } from "@fleetwatch/core";
import { AlertStore, CHECK_JOB_VERSION, checkQueueOf, loadFleetConfig, QUEUES, queueOptions, redisNow } from "@fleetwatch/core";
import type { AppProcess } from "@fleetwatch/testkit";
import { waitFor } from "@fleetwatch/testkit";
import { Pipeline } from "../pipeline-harness.js";
import { processResult } from "./notifier-in-process.js";
import { scenario } from "./scenario.js";

const p = new Pipeline();
let results: Queue;
let checks: Queue;
let notifier: AppProcess;
let worker: AppProcess;
let host: ResolvedHost;

beforeAll(async () => {
  await p.start();
  const knownHosts = await p.lab.writeKnownHosts("known_hosts", []);
  p.writeConfig(knownHosts, [{ name: "nowhere", host: await p.lab.closedHost() }]);
  notifier = p.spawn("notifier");
  worker = p.spawn("worker");
  results = new Queue(QUEUES.results, queueOptions(QUEUES.results, p.redis));
  checks = new Queue(checkQueueOf("nowhere"), queueOptions(checkQueueOf("nowhere"), p.redis));
  const loaded = loadFleetConfig(p.config);
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  host = loaded.value.hosts[0]!;
}, 180_000);
afterAll(async () => {
  await results?.close();
  await checks?.close();
  await p.stop();
});

/** A payload and how the notifier must judge it: applied, or refused with a reason that says why. */
interface Payload {
  what: string;
  data: (slotStart: number) => unknown;
  /** The host whose alert state shows the payload applied. */
  applies?: string;
  /** Words the refusal must contain. */
  refusedWith?: string;
}

const withVersion = (host: string, version: number) => (slotStart: number) => {
  const job = processResult(host, slotStart, "critical");
  return { ...job, result: { ...job.result, version } } as unknown;
};

const PAYLOADS: Payload[] = [
  { what: "a result of version 1", data: withVersion("version-1", 1), applies: "version-1" },
  { what: "a result of the previous version (2)", data: withVersion("previous-version", 2), applies: "previous-version" },
  { what: "a result of the current version (3)", data: withVersion("current-version", 3), applies: "current-version" },
  { what: "a result of a newer version (4)", data: withVersion("newer-version", 4), refusedWith: "check result version 4 is not one this fleetwatch reads" },
  { what: "a result job without its slot start", data: (s) => ({ ...processResult("no-slot", s, "critical"), slotStart: undefined }), refusedWith: "slotStart" },
  { what: "a job of an unknown kind", data: (s) => ({ ...processResult("renamed", s, "critical"), kind: "host-renamed" }), refusedWith: "kind" },
  { what: "a job that is not an object", data: () => "garbage", refusedWith: "invalid result job" },
  { what: "a result with a state no version has", data: (s) => ({ ...processResult("bad-state", s, "critical"), result: { ...processResult("bad-state", s, "critical").result, state: "purple" } }), refusedWith: "result.state" },
];

describe("upgrades: payload versions on the results queue", () => {
  scenario(import.meta.url, "upgrades", "previous result version accepted; newer, unknown and malformed refused with a reason; notifier keeps running", { short: true, timeoutMs: 180_000 }, async () => {
    const store = new AlertStore(p.redis);
    const judged: string[] = [];
    const wrong: string[] = [];
    for (const payload of PAYLOADS) {
      const job = await results.add("result", payload.data(await redisNow(p.redis)) as ResultJob);
      await waitFor(`${payload.what} to be judged`, async () => {
        if (notifier.child.exitCode !== null) throw new Error(`the notifier exited (${notifier.child.exitCode}); see ${notifier.logFile}`);
        return (await job.isCompleted()) || (await job.isFailed());
      }, 60_000);
      const failed = await results.getJob(job.id!);
      if (payload.applies) {
        const state = await store.load(payload.applies);
        if (state && (await failed!.isCompleted())) judged.push(payload.what);
        else wrong.push(`${payload.what}: not applied (${failed?.failedReason ?? "no state"})`);
      } else if ((await failed!.isFailed()) && failed!.failedReason.includes(payload.refusedWith!)) {
        judged.push(payload.what);
      } else {
        wrong.push(`${payload.what}: ${(await failed!.isCompleted()) ? "accepted" : `refused as "${failed?.failedReason}"`}`);
      }
    }
    // Still running, and still applying what it can read.
    const after = await results.add("result", processResult("after-refusals", await redisNow(p.redis), "critical"));
    await waitFor("a result after the refusals applied", async () => (await after.isCompleted()) && (await store.load("after-refusals")), 60_000);
    expect(notifier.child.exitCode).toBeNull();
    const refusedCount = await results.getFailedCount();
    expect(wrong).toEqual([]);
    expect(refusedCount).toBe(PAYLOADS.filter((x) => x.refusedWith).length);
    return {
      expected: PAYLOADS.length,
      delivered: judged.length,
      lost: wrong.length,
      duplicated: 0,
      allowedDuplicates: 0,
      notes: `${refusedCount} refused, counted as failed jobs on the results queue with their reason; the notifier kept running`,
    };
  });
});

/** A check job as the scheduler writes it now, and as schedulers before payload versions wrote it. */
const checkJob = (slotStart: number, fields: Record<string, unknown> = {}) => ({ version: CHECK_JOB_VERSION, host, slot: 1, slotStart, configVersion: "upgrades", ...fields });
const previousCheckJob = (slotStart: number) => {
  const { version: _none, ...unversioned } = checkJob(slotStart);
  return unversioned;
};

const CHECK_PAYLOADS: Payload[] = [
  { what: "a check job of the previous, unversioned form (1)", data: previousCheckJob, applies: "checked" },
  { what: "a check job of the current version (2)", data: (s) => checkJob(s), applies: "checked" },
  { what: "a check job of a newer version (3)", data: (s) => checkJob(s, { version: 3 }), refusedWith: "check job version 3 is not one this fleetwatch reads (1, 2); the scheduler is newer than this worker" },
  { what: "a check job of an unknown version (\"2.0\")", data: (s) => checkJob(s, { version: "2.0" }), refusedWith: 'check job version "2.0" is not one this fleetwatch reads' },
  { what: "a check job without its host", data: (s) => checkJob(s, { host: undefined }), refusedWith: "invalid check job: host:" },
  { what: "a check job that is not an object", data: () => "garbage", refusedWith: "invalid check job: (data): expected an object" },
];

/** The worker's counter of refused jobs, from its /metrics, by reason. */
async function refusedOnMetrics(): Promise<Record<string, number>> {
  const text = await (await fetch(`${await worker.httpUrl()}/metrics`)).text();
  const counts: Record<string, number> = {};
  for (const match of text.matchAll(/^fleetwatch_jobs_refused_total\{queue="checks",reason="(\w+)"\} (\d+)$/gm)) counts[match[1]!] = Number(match[2]);
  return counts;
}

describe("upgrades: payload versions on the checks queue", () => {
  scenario(import.meta.url, "upgrades", "previous check job version accepted; newer, unknown and malformed refused with a reason and counted; worker keeps running", { timeoutMs: 180_000 }, async () => {
    const judged: string[] = [];
    const wrong: string[] = [];
    let n = 0;
    for (const payload of CHECK_PAYLOADS) {
      const job = await checks.add("check", payload.data(await redisNow(p.redis)), { jobId: `upgrade-${n++}` });
      await waitFor(`${payload.what} to be judged`, async () => {
        if (worker.child.exitCode !== null) throw new Error(`the worker exited (${worker.child.exitCode}); see ${worker.logFile}`);
        return (await job.isCompleted()) || (await job.isFailed());
      }, 60_000);
      const now = (await checks.getJob(job.id!))!;
      if (payload.applies) {
        // Accepted: the host was checked (a closed port: unreachable) and its result published.
        if ((await now.isCompleted()) && (now.returnvalue as { outcome?: string }).outcome === "unreachable") judged.push(payload.what);
        else wrong.push(`${payload.what}: not checked (${now.failedReason ?? JSON.stringify(now.returnvalue)})`);
      } else if ((await now.isFailed()) && now.failedReason.includes(payload.refusedWith!)) {
        judged.push(payload.what);
      } else {
        wrong.push(`${payload.what}: ${(await now.isCompleted()) ? "accepted" : `refused as "${now.failedReason}"`}`);
      }
    }
    // Still running, and still checking what it can read.
    const after = await checks.add("check", checkJob(await redisNow(p.redis)), { jobId: `upgrade-after` });
    await waitFor("a check job after the refusals done", () => after.isCompleted(), 60_000);
    expect(worker.child.exitCode).toBeNull();
    const counted = await refusedOnMetrics();
    expect(wrong).toEqual([]);
    expect(counted).toEqual({ version: 2, malformed: 2 });
    return {
      expected: CHECK_PAYLOADS.length,
      delivered: judged.length,
      lost: wrong.length,
      duplicated: 0,
      allowedDuplicates: 0,
      notes: `refused with their reason as failed jobs and counted on the worker's /metrics (fleetwatch_jobs_refused_total: ${counted.version ?? 0} version, ${counted.malformed ?? 0} malformed); the worker kept running`,
    };
  });
});
