import { afterAll, beforeAll, describe, expect } from "vitest";
import type { LabHost } from "@fleetwatch/testkit";
import { waitFor } from "@fleetwatch/testkit";
import { Pipeline } from "../pipeline-harness.js";
import { probeRuns } from "./host-check-helpers.js";
import { FULL, scenario } from "./scenario.js";

const p = new Pipeline();
let hosts: LabHost[];
const INTERVAL_S = 2;

beforeAll(async () => {
  await p.start();
  hosts = await p.lab.startHosts({ count: 6, behaviour: "logged" });
  const knownHosts = await p.lab.writeKnownHosts("known_hosts", hosts);
  p.writeConfig(knownHosts, hosts.map((host, i) => ({ name: `sweep-${i}`, host })), {}, [`interval: ${INTERVAL_S}s`]);
}, 180_000);
afterAll(async () => {
  await p.stop();
});

const runsOf = (host: LabHost) => probeRuns(p.lab, host);

describe("processes dying: workers", () => {
  scenario(import.meta.url, "processes", "a worker SIGKILLed mid-sweep, repeatedly: every host still checked within its interval or the next", { timeoutMs: 240_000 }, async () => {
    p.spawn("scheduler");
    let victim = p.spawn("worker");
    p.spawn("worker");
    await waitFor("every host checked once", () => hosts.every((h) => runsOf(h).length > 0), 90_000);
    const from = Math.floor(Date.now() / 1000) + 1;
    const kills = FULL ? 6 : 2;
    for (let i = 0; i < kills; i++) {
      await new Promise((r) => setTimeout(r, 2_500));
      victim.signal("SIGKILL");
      await victim.exited;
      victim = p.spawn("worker");
    }
    await new Promise((r) => setTimeout(r, INTERVAL_S * 3 * 1000));
    const to = Math.floor(Date.now() / 1000) - 1;
    let slots = 0;
    let checked = 0;
    let missed = 0;
    let extra = 0;
    const worstGaps: number[] = [];
    for (const host of hosts) {
      const runs = runsOf(host).filter((t) => t >= from - INTERVAL_S && t <= to);
      const hostSlots = Math.floor((to - from) / INTERVAL_S);
      slots += hostSlots;
      checked += Math.min(runs.length, hostSlots);
      extra += Math.max(0, runs.length - hostSlots - 2);
      let worst = 0;
      for (let i = 1; i < runs.length; i++) {
        const gap = runs[i]! - runs[i - 1]!;
        worst = Math.max(worst, gap);
        // Within its interval or the next (whole seconds on the sshd side: one second of slack).
        if (gap > 2 * INTERVAL_S + 1) missed += Math.ceil(gap / INTERVAL_S) - 2;
      }
      worstGaps.push(worst);
    }
    expect(missed, `slots missed beyond the next (worst gaps per host, s: ${worstGaps.join(", ")})`).toBe(0);
    return {
      expected: slots,
      delivered: checked,
      lost: missed,
      duplicated: extra,
      allowedDuplicates: kills * hosts.length,
      notes: `${kills} workers SIGKILLed, 2 workers, ${hosts.length} hosts at ${INTERVAL_S} s; worst gap per host ${worstGaps.join("/")} s; lost = slots missed beyond the next one; duplicated = checks beyond one per slot (a killed worker's job retried)`,
    };
  });
});
