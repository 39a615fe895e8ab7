import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LabHost } from "@fleetwatch/testkit";
import { CanaryProcess, uniqueProcessName } from "@fleetwatch/testkit";
import { eventually, MOBILE, Pipeline, sleep } from "./pipeline-harness.js";

const p = new Pipeline();
let canary: CanaryProcess;
const canaryName = uniqueProcessName("fwcanary");
let hosts: LabHost[];
let knownHosts: string;

beforeAll(async () => {
  await p.start();
  canary = new CanaryProcess(p.lab.dir, canaryName);
  canary.start();
  hosts = await p.lab.startHosts({ count: 3 });
  knownHosts = await p.lab.writeKnownHosts("known_hosts", hosts);
  p.writeConfig(knownHosts, [
    { name: "web-1", host: hosts[0]!, extra: `processes: [${canaryName}]` },
    { name: "web-2", host: hosts[1]! },
  ]);
  p.startAll();
});
afterAll(async () => {
  await canary?.stop();
  await p.stop();
});

describe("pipeline: scheduler → worker → notifier → DingTalk", () => {
  it("fires once when a required process stops, stays quiet while it is down, resolves once when it is back", async () => {
    await eventually(async () => (await p.latest("web-1"))?.outcome === "ok", 30_000, "first result of web-1");
    expect(p.standIn.received).toHaveLength(0);

    await canary.stop();
    const firing = await eventually(() => p.standIn.received[0], 20_000, "firing message");
    expect(firing.title).toContain("[FIRING]");
    expect(firing.text).toContain("web-1");
    expect(firing.text).toContain(canaryName);
    expect(firing.text).not.toContain("web-2");
    expect(firing.rung).toEqual([MOBILE]);

    await sleep(4_000); // still down: several checks, no new message before repeatInterval
    expect(p.standIn.received).toHaveLength(1);

    canary.start();
    const resolved = await eventually(() => p.standIn.received[1], 20_000, "resolved message");
    expect(resolved.title).toContain("[RESOLVED]");
    expect(resolved.text).toContain("web-1");
    await sleep(3_000);
    expect(p.standIn.received).toHaveLength(2);
    expect(p.standIn.attempts.every((a) => a.errcode === 0)).toBe(true);
  });

  it("applies a reloaded config on SIGHUP: a removed host's alert resolves once, an added host is checked", async () => {
    await canary.stop();
    await eventually(() => p.standIn.received.length === 3, 20_000, "web-1 firing again");
    p.writeConfig(knownHosts, [
      { name: "web-2", host: hosts[1]! },
      { name: "web-3", host: hosts[2]! },
    ]);
    for (const app of p.apps) app.signal("SIGHUP");
    const removed = await eventually(() => p.standIn.received[3], 20_000, "the resolved message for the removed host");
    expect(removed.title).toContain("[RESOLVED]");
    expect(removed.text).toContain("web-1");
    expect(removed.text).toContain("host removed from monitoring");
    await eventually(async () => (await p.latest("web-3"))?.outcome === "ok", 20_000, "the added host's first check");
    await sleep(3_000);
    expect(p.standIn.received).toHaveLength(4);
    canary.start();
  });

  it("refuses a broken config on SIGHUP and keeps running the old one", async () => {
    writeFileSync(p.config, `${readFileSync(p.config, "utf8")}\nbogus: true\n`);
    for (const app of p.apps) app.signal("SIGHUP");
    const scheduler = p.apps.find((a) => a.app === "scheduler")!;
    await eventually(() => readFileSync(scheduler.logFile, "utf8").includes("reload refused"), 10_000, "the refusal in the log");
    expect(readFileSync(scheduler.logFile, "utf8")).toContain('"path":"bogus"');
    const before = (await p.latest("web-3"))!.finishedAt;
    await eventually(async () => (await p.latest("web-3"))!.finishedAt > before, 10_000, "checks to go on");
    expect(p.apps.every((a) => a.child.exitCode === null)).toBe(true);
  });
});

describe("starting an app", () => {
  it("refuses to start without REDIS_URL, and says so", async () => {
    const { AppProcess } = await import("@fleetwatch/testkit");
    const app = new AppProcess("worker", p.config, { REDIS_URL: "" }, `${p.lab.dir}/no-redis.log`);
    expect(await app.exited).toBe(2);
    expect(readFileSync(`${p.lab.dir}/no-redis.log`, "utf8")).toContain("REDIS_URL is not set");
  });
});
