import { readFileSync } from "node:fs";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { QUEUES, queueOptions } from "@fleetwatch/core";
import type { LabHost } from "@fleetwatch/testkit";
import { CanaryProcess, uniqueProcessName } from "@fleetwatch/testkit";
import { eventually, Pipeline, sleep } from "./pipeline-harness.js";

const p = new Pipeline();
let logged: LabHost[];
let canary: CanaryProcess;
const canaryName = uniqueProcessName("fwreplica");

beforeAll(async () => {
  await p.start();
  canary = new CanaryProcess(p.lab.dir, canaryName);
  canary.start();
  logged = await p.lab.startHosts({ count: 3, behaviour: "logged" });
  const [hang] = await p.lab.startHosts({ behaviour: "hang" });
  const knownHosts = await p.lab.writeKnownHosts("known_hosts", [...logged, hang!]);
  p.writeConfig(knownHosts, [
    ...logged.map((host, i) => ({ name: `rep-${i}`, host, extra: `processes: [${canaryName}]` })),
    { name: "stuck", host: hang!, extra: "interval: 4s, ssh: { commandTimeout: 1s }, for: 100" },
  ], { groupWait: "3s", groupInterval: "10s" });
  p.spawn("scheduler");
  p.spawn("scheduler");
  p.spawn("notifier");
  p.spawn("notifier");
  p.spawn("worker");
});
afterAll(async () => {
  await canary?.stop();
  await p.stop();
});

/** Checks each lab host ran, by the host's own log: one line per command it was asked to run. */
function runsBetween(host: LabHost, from: number, to: number): number {
  return p.lab
    .commandLog(host.address)
    .split("\n")
    .filter(Boolean)
    .map((line) => Number(line.split(" ")[0]))
    .filter((t) => t >= from && t < to).length;
}

describe("pipeline with replicas", () => {
  it("checks each host exactly once per slot with two schedulers, counted on the hosts", async () => {
    await eventually(async () => (await p.latest("rep-2"))?.outcome === "ok", 30_000, "first results");
    const from = Math.ceil(Date.now() / 1000) + 1;
    const seconds = 8;
    await sleep((from + seconds + 2) * 1000 - Date.now());
    for (const host of logged) {
      const runs = runsBetween(host, from, from + seconds);
      // At most one per slot is the point; at least a few shows it checks at all (a loaded machine may skip a slot).
      expect(runs).toBeGreaterThanOrEqual(2);
      expect(runs).toBeLessThanOrEqual(seconds + 1);
    }
  });

  it("sends one message, not two, with two notifiers that both consumed results", async () => {
    for (const notifier of p.apps.filter((a) => a.app === "notifier")) {
      await eventually(() => readFileSync(notifier.logFile, "utf8").includes('"msg":"result applied"'), 10_000, `${notifier.logFile} to apply results`);
    }
    await canary.stop();
    await eventually(() => p.standIn.received.length > 0, 20_000, "the firing message");
    await sleep(4_000);
    expect(p.standIn.received).toHaveLength(1);
    for (let i = 0; i < 3; i++) expect(p.standIn.received[0]!.text).toContain(`rep-${i}`);
    canary.start();
  });

  it("completes a hung host's check after its worker is killed with SIGKILL", async () => {
    const queue = new Queue(QUEUES.checks, queueOptions(QUEUES.checks, p.redis));
    const active = await eventually(async () => (await queue.getActive()).find((job) => job.data?.host?.name === "stuck"), 20_000, "the stuck host's check to be running");
    const [worker] = p.apps.filter((a) => a.app === "worker");
    worker!.signal("SIGKILL");
    const killedAt = Date.now();
    await worker!.exited;
    p.spawn("worker");
    const result = await eventually(async () => {
      const latest = await p.latest("stuck");
      return latest && latest.finishedAt > killedAt ? latest : undefined;
    }, 30_000, "the stuck host's check to complete");
    expect(result.outcome).toBe("probe_timeout");
    // Taken over within about one interval (4 s) when the machine is quiet; a loaded one gets three.
    expect(result.finishedAt - killedAt).toBeLessThan(12_000);
    expect(active.id).toBeDefined();
    await queue.close();
  });
});
