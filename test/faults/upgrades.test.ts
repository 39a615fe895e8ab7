import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { ResultJob } from "@fleetwatch/core";
import { AlertStore, QUEUES, queueOptions, redisNow } from "@fleetwatch/core";
import type { AppProcess } from "@fleetwatch/testkit";
import { waitFor } from "@fleetwatch/testkit";
import { Pipeline } from "../pipeline-harness.js";
import { processResult } from "./notifier-in-process.js";
import { scenario } from "./scenario.js";

const p = new Pipeline();
let results: Queue;
let notifier: AppProcess;

beforeAll(async () => {
  await p.start();
  const knownHosts = await p.lab.writeKnownHosts("known_hosts", []);
  p.writeConfig(knownHosts, [{ name: "nowhere", host: await p.lab.closedHost() }]);
  notifier = p.spawn("notifier");
  results = new Queue(QUEUES.results, queueOptions(QUEUES.results, p.redis));
}, 180_000);
afterAll(async () => {
  await results?.close();
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
