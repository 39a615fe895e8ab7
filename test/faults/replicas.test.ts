import { copyFileSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { hostOffset, readMembership, readMembershipMeta } from "@fleetwatch/core";
import type { LabHost } from "@fleetwatch/testkit";
import { AppProcess, uniqueProcessName, waitFor } from "@fleetwatch/testkit";
import { Pipeline } from "../pipeline-harness.js";
import { scenario } from "./scenario.js";

const INTERVAL_MS = 4_000;
const p = new Pipeline();
let hosts: LabHost[];
/** The fleet file before (rep-0..rep-3) and after (rep-1..rep-4) rep-0 left and rep-4 came. */
let older: string;
let newer: string;
const names = (from: number, to: number) => Array.from({ length: to - from + 1 }, (_, i) => `rep-${from + i}`);
const OLD_HOSTS = names(0, 3);
const NEW_HOSTS = names(1, 4);

beforeAll(async () => {
  await p.start();
  hosts = await p.lab.startHosts({ count: 5, behaviour: "logged" });
  const knownHosts = await p.lab.writeKnownHosts("known_hosts", hosts);
  // A process that never runs: every host fires once, so each has one FIRING to count.
  const missing = uniqueProcessName("fwrep");
  const write = (members: string[]) =>
    p.writeConfig(knownHosts, members.map((name) => ({ name, host: hosts[Number(name.slice(4))]!, extra: `processes: [${missing}]` })), {}, [`interval: ${INTERVAL_MS / 1000}s`]);
  copyFileSync(write(OLD_HOSTS), (older = join(p.lab.dir, "fleet-older.yaml")));
  copyFileSync(write(NEW_HOSTS), (newer = join(p.lab.dir, "fleet-newer.yaml")));
  copyFileSync(older, p.config); // the notifiers and the worker: the notify settings are the same in both
}, 180_000);
afterAll(async () => {
  await p.stop();
});

const hostOf = (name: string) => hosts[Number(name.slice(4))]!;
/** When a host ran its probe, in whole seconds, from its sshd side's command log. */
const runsOf = (name: string) =>
  p.lab
    .commandLog(hostOf(name).address)
    .split("\n")
    .filter(Boolean)
    .map((line) => Number(line.split(" ")[0]));
/**
 * The slot a run logged at second `t` belongs to: it ran at most 3 s after its slot started
 * (of 4), so `t + 1` (the end of the logged second) still falls in that slot.
 */
const slotOf = (name: string, t: number) => Math.floor((t * 1000 + 1000 - hostOffset(name, INTERVAL_MS)) / INTERVAL_MS);
const logOf = (app: AppProcess) => {
  try {
    return readFileSync(app.logFile, "utf8");
  } catch {
    return "";
  }
};
const said = (app: AppProcess, text: string) => logOf(app).split("\n").filter((line) => line.includes(text)).length;
/** Hosts the chat was told are firing (a message lists every firing host of its group). */
const firing = () => new Set(p.standIn.received.flatMap((m) => [...m.text.matchAll(/🔴 \*\*(rep-\d)\*\*/gu)].map((x) => x[1]!)));
/** How often the chat was told a host was removed from monitoring. */
const removedTold = (host: string) => p.standIn.received.filter((m) => m.text.split("\n").some((line) => line.includes(`**${host}**`) && line.includes("host removed from monitoring"))).length;

function scheduler(config: string, tag: string): AppProcess {
  const app = new AppProcess("scheduler", config, p.env(), join(p.lab.dir, `scheduler-${tag}.log`));
  p.apps.push(app);
  return app;
}

describe("processes: replicas on stale configs", () => {
  scenario(import.meta.url, "processes", "two schedulers and two notifiers; one scheduler restarted with an older file, the other reloaded late: every host checked once per slot, none lost or resurrected, no message doubled", { timeoutMs: 300_000 }, async () => {
    copyFileSync(older, join(p.lab.dir, "fleet-a.yaml"));
    copyFileSync(older, join(p.lab.dir, "fleet-b.yaml"));
    const first = scheduler(join(p.lab.dir, "fleet-a.yaml"), "a");
    await waitFor("scheduler a to lead", () => said(first, "leading: membership published") > 0, 60_000);
    const second = scheduler(join(p.lab.dir, "fleet-b.yaml"), "b");
    p.spawn("notifier");
    p.spawn("notifier");
    p.spawn("worker");
    await waitFor("every host of the older file FIRING", () => OLD_HOSTS.every((h) => firing().has(h)), 120_000);

    // The operator publishes the newer file on the leader only (rep-0 leaves, rep-4 comes).
    copyFileSync(newer, join(p.lab.dir, "fleet-a.yaml"));
    first.signal("SIGHUP");
    await waitFor("the newer membership published", async () => (await readMembershipMeta(p.redis)).generation === 2, 60_000);
    const published = Date.now();
    const generation = (await readMembershipMeta(p.redis)).generation;
    await waitFor("rep-4 FIRING and rep-0 resolved as removed", () => firing().has("rep-4") && removedTold("rep-0") > 0, 120_000).catch((error: Error) => {
      throw new Error(`${error.message}; the chat was told: ${JSON.stringify(p.standIn.received.map((m) => `${m.title} | ${m.text}`))}`);
    });

    // b is reloaded late, still with the older file: it warns and follows.
    const warnedBefore = said(second, "differs from the published membership");
    second.signal("SIGHUP");
    await waitFor("b to warn that its file differs", () => said(second, "differs from the published membership") > warnedBefore, 60_000);
    // a is restarted with the older file (a rollback by config management): b takes over.
    copyFileSync(older, join(p.lab.dir, "fleet-a.yaml"));
    await first.stop();
    const restarted = scheduler(join(p.lab.dir, "fleet-a.yaml"), "a-restarted");
    // Taking over, b must follow the published membership ("took over"), not publish its stale file.
    await waitFor("b to lead", () => said(second, "leading: took over") + said(second, "leading: membership published") > 0, 60_000);
    expect(said(second, "leading: membership published"), "b published its stale file when it took over").toBe(0);
    await waitFor("the restarted a to warn that its file differs", () => said(restarted, "differs from the published membership") > 0, 60_000);

    // Five slots with both stale replicas up, counted on the hosts.
    const from = Math.ceil(Date.now() / 1000) + 1;
    const to = from + (5 * INTERVAL_MS) / 1000;
    await waitFor("the counting window to pass", () => Date.now() > (to + 4) * 1000, 60_000);
    let checked = 0;
    const lost: string[] = [];
    const doubled: string[] = [];
    for (const name of NEW_HOSTS) {
      const offset = hostOffset(name, INTERVAL_MS);
      const firstSlot = Math.ceil((from * 1000 - offset) / INTERVAL_MS);
      const lastSlot = Math.floor((to * 1000 - offset) / INTERVAL_MS) - 1;
      const perSlot = new Map<number, number>();
      for (const t of runsOf(name)) perSlot.set(slotOf(name, t), (perSlot.get(slotOf(name, t)) ?? 0) + 1);
      for (let slot = firstSlot; slot <= lastSlot; slot++) {
        const runs = perSlot.get(slot) ?? 0;
        checked += Math.min(runs, 1);
        if (runs === 0) lost.push(`${name} slot ${slot}`);
        if (runs > 1) doubled.push(`${name} slot ${slot}: ${runs} runs`);
      }
    }
    // rep-0 left with generation 2: a check already queued may still run just after, none later.
    const resurrected = runsOf("rep-0").filter((t) => t * 1000 > published + 2 * INTERVAL_MS).length;
    const membership = await readMembership(p.redis);
    expect(membership.members.map((h) => h.name).sort(), "the published membership").toEqual(NEW_HOSTS);
    expect((await readMembershipMeta(p.redis)).generation, "no membership published by a stale replica").toBe(generation);
    // No message doubled (the same message delivered twice), the removal told once, rep-0 never firing again after it.
    const texts = p.standIn.received.map((m) => `${m.title}\n${m.text}`);
    const doubledMessages = texts.filter((text, i) => texts.indexOf(text) !== i).length;
    const removal = p.standIn.received.findIndex((m) => m.text.includes("host removed from monitoring"));
    const firingAgain = p.standIn.received.slice(removal + 1).filter((m) => m.text.includes("🔴 **rep-0**")).length;
    const missingFirings = [...OLD_HOSTS, "rep-4"].filter((h) => !firing().has(h));
    const removals = removedTold("rep-0");
    expect({ lost, doubled, resurrected, firingAgain, doubledMessages, missingFirings, removals }).toEqual({ lost: [], doubled: [], resurrected: 0, firingAgain: 0, doubledMessages: 0, missingFirings: [], removals: 1 });
    const expectedMessages = OLD_HOSTS.length + 2;
    const slots = checked + lost.length;
    return {
      expected: slots + expectedMessages,
      delivered: checked + expectedMessages - missingFirings.length - (removals === 0 ? 1 : 0),
      lost: lost.length + resurrected + firingAgain + missingFirings.length + (removals === 0 ? 1 : 0),
      duplicated: doubled.length + doubledMessages + Math.max(0, removals - 1),
      allowedDuplicates: 0,
      notes: `${NEW_HOSTS.length} hosts × 5 slots of ${INTERVAL_MS / 1000} s counted on the sshd side after a scheduler was restarted on the older file and the other reloaded late (SIGHUP) on it; generation stayed ${generation}; rep-0 (removed) ran ${resurrected} times after; ${p.standIn.received.length} messages at the stand-in: 5 hosts firing, rep-0's removal told ${removals} time(s), ${doubledMessages} doubled`,
    };
  });
});
