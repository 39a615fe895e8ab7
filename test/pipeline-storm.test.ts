import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CanaryProcess } from "@fleetwatch/testkit";
import { eventually, Pipeline, sleep } from "./pipeline-harness.js";

const p = new Pipeline();
let canary: CanaryProcess;
const COUNT = 50;

beforeAll(async () => {
  await p.start();
  canary = new CanaryProcess(p.lab.dir, "fwstorm");
  canary.start();
  const hosts = await p.lab.startHosts({ count: COUNT });
  const knownHosts = await p.lab.writeKnownHosts("known_hosts", hosts);
  // Timers in the proportions of the defaults (interval 60s, groupWait 30s, groupInterval 5m).
  p.writeConfig(
    knownHosts,
    hosts.map((host, i) => ({ name: `node-${String(i).padStart(2, "0")}`, host })),
    { groupWait: "2500ms", groupInterval: "25s" },
    ["interval: 5s", "processes: [fwstorm]"],
  );
  p.startAll();
});
afterAll(async () => {
  await canary?.stop();
  await p.stop();
});

describe("a storm: 50 hosts fail at once", () => {
  it("sends at most 3 messages that name every host, without hitting DingTalk's rate limit", async () => {
    await eventually(async () => {
      for (let i = 0; i < COUNT; i++) if ((await p.latest(`node-${String(i).padStart(2, "0")}`))?.outcome !== "ok") return false;
      return true;
    }, 60_000, "every host checked once");
    await canary.stop();
    const named = () => {
      const text = p.standIn.received.map((m) => m.text).join("\n");
      return Array.from({ length: COUNT }, (_, i) => `node-${String(i).padStart(2, "0")}`).every((name) => text.includes(name));
    };
    const t0 = Date.now();
    await eventually(named, 60_000, "every host to be named");
    console.log(`storm: every host named after ${Date.now() - t0} ms in ${p.standIn.received.length} message(s)`);
    await sleep(3_000);
    expect(p.standIn.received.length).toBeLessThanOrEqual(3);
    expect(p.standIn.attempts.filter((a) => a.errcode === 130101)).toEqual([]);
  }, 180_000);
});
