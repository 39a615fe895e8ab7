import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CanaryProcess } from "@fleetwatch/testkit";
import { eventually, MOBILE, Pipeline, sleep } from "./pipeline-harness.js";

const p = new Pipeline();
let canary: CanaryProcess;

beforeAll(async () => {
  await p.start();
  canary = new CanaryProcess(p.lab.dir, "fwcanary1");
  canary.start();
  const hosts = await p.lab.startHosts({ count: 2 });
  const knownHosts = await p.lab.writeKnownHosts("known_hosts", hosts);
  p.writeConfig(knownHosts, [
    { name: "web-1", host: hosts[0]!, extra: "processes: [fwcanary1]" },
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
    expect(firing.text).toContain("fwcanary1");
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
});
