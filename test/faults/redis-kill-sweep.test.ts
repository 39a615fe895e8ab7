import { afterAll, beforeAll, describe, expect } from "vitest";
import type { LabHost } from "@fleetwatch/testkit";
import { CanaryProcess, uniqueProcessName, waitFor } from "@fleetwatch/testkit";
import { Pipeline } from "../pipeline-harness.js";
import { probeRuns } from "./host-check-helpers.js";
import { countDeliveries, scenario } from "./scenario.js";

const p = new Pipeline();
let hosts: LabHost[];
const INTERVAL_S = 2;
const required = uniqueProcessName("fwredis");
let canary: CanaryProcess;
const names = ["swept-0", "swept-1", "swept-2", "swept-3"];

beforeAll(async () => {
  await p.start({ persistentRedis: true });
  canary = new CanaryProcess(p.lab.dir, required);
  canary.start();
  hosts = await p.lab.startHosts({ count: names.length, behaviour: "logged" });
  const knownHosts = await p.lab.writeKnownHosts("known_hosts", hosts);
  p.writeConfig(
    knownHosts,
    hosts.map((host, i) => ({ name: names[i]!, host, extra: `processes: [${required}]` })),
    { groupWait: "1s", groupInterval: "1s" },
    [`interval: ${INTERVAL_S}s`, "for: 1"],
  );
}, 180_000);
afterAll(async () => {
  await canary?.stop();
  await p.stop();
});

const runsOf = (host: LabHost) => probeRuns(p.lab, host);

/** `host FIRING` / `host RESOLVED` for each host a message names, by the section it is in. */
const told = (text: string) => {
  const [firing = "", resolved = ""] = text.split("#### ✅");
  return [
    ...names.filter((h) => firing.includes(`**${h}**`)).map((h) => `${h} FIRING`),
    ...names.filter((h) => resolved.includes(`**${h}**`)).map((h) => `${h} RESOLVED`),
  ];
};
const said = (status: "FIRING" | "RESOLVED") => p.standIn.received.flatMap((m) => told(m.text)).filter((s) => s.endsWith(status));

describe("processes dying: Redis", () => {
  scenario(import.meta.url, "processes", "Redis SIGKILLed (appendfsync always) mid-sweep while a problem is being decided, restarted: every host checked again, FIRING and RESOLVED once each", { timeoutMs: 240_000 }, async () => {
    p.startAll();
    await waitFor("every host checked and ok", async () => {
      for (const name of names) if ((await p.latest(name))?.state !== "ok") return false;
      return true;
    }, 90_000);
    // The required process stops; Redis dies while the checks that see it are in flight.
    await canary.stop();
    await waitFor("a check that sees the process missing", async () => (await p.latest(names[0]!))?.state === "critical", 60_000);
    await p.redisHandle.kill();
    await new Promise((r) => setTimeout(r, 3_000));
    await p.redisHandle.restart();
    const back = Math.floor(Date.now() / 1000);
    await waitFor("a FIRING for every host after the restart", () => names.every((h) => said("FIRING").includes(`${h} FIRING`)), 120_000).catch((error: Error) => {
      throw new Error(`${error.message}; the chat got: ${JSON.stringify(p.standIn.received.map((m) => m.title))}`);
    });
    canary.start();
    await waitFor("a RESOLVED for every host", () => names.every((h) => said("RESOLVED").includes(`${h} RESOLVED`)), 120_000);
    await new Promise((r) => setTimeout(r, 3_000));
    for (const app of p.apps) expect(app.child.exitCode, `${app.app} rode out the restart`).toBeNull();

    // Every host checked in every slot after Redis came back (within its interval or the next).
    const settled = back + 2 * INTERVAL_S;
    const to = Math.floor(Date.now() / 1000) - 1;
    let missed = 0;
    const worstGaps: number[] = [];
    for (const host of hosts) {
      const runs = runsOf(host).filter((t) => t >= settled && t <= to);
      let worst = runs.length > 0 ? runs[0]! - settled : to - settled;
      for (let i = 1; i < runs.length; i++) worst = Math.max(worst, runs[i]! - runs[i - 1]!);
      if (worst > 2 * INTERVAL_S + 1) missed += 1;
      worstGaps.push(worst);
    }
    // A group's later message repeats what still fires in it (as Alertmanager does): a
    // transition counts once; a message that arrives twice word for word is a duplicate.
    const expected = names.flatMap((h) => [`${h} FIRING`, `${h} RESOLVED`]);
    const counters = countDeliveries(expected, [...new Set([...said("FIRING"), ...said("RESOLVED")])]);
    const copies = countDeliveries([], p.standIn.received.map((m) => `${m.title}\n${m.text}`));
    const staleAlerts = p.standIn.received.filter((m) => m.text.includes("no check result for")).length;
    expect(staleAlerts, "messages about a stale host: the monitor's own pause paged its hosts").toBe(0);
    return {
      ...counters,
      duplicated: copies.duplicated,
      lost: counters.lost + missed,
      notes: `${names.length} hosts at ${INTERVAL_S} s, Redis down 3 s; worst gap per host after the restart ${worstGaps.join("/")} s; ${p.standIn.received.length} messages`,
    };
  });
});
