import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { ResultJob } from "@fleetwatch/core";
import { QUEUES, queueOptions, redisNow } from "@fleetwatch/core";
import type { LabHost, ReceivedMessage } from "@fleetwatch/testkit";
import { eventually, Pipeline } from "../pipeline-harness.js";
import { syntheticResult } from "../synthetic-results.js";
import { FULL, scenario } from "./scenario.js";

const p = new Pipeline();
const HOSTS = FULL ? 500 : 100;
const names = Array.from({ length: HOSTS }, (_, i) => `storm-${String(i).padStart(3, "0")}`);
const DASHBOARD = "http://dashboard.test:8080/";
/** Long enough that no host goes stale while the test feeds no further results. */
const INTERVAL_MS = 60_000;
const GROUP_INTERVAL_MS = 10_000;
let results: Queue<ResultJob>;

/** A host critical on its process check, and every other host also warning on cpu: counted once, at critical. */
function result(host: string, i: number, slotStart: number, state: "ok" | "critical"): ResultJob {
  const job = syntheticResult(host, slotStart, state, { check: "process:app", intervalMs: INTERVAL_MS });
  if (i % 2 === 1) job.result.checks.push({ name: "cpu", state: state === "ok" ? "ok" : "warning", message: `cpu ${state === "ok" ? "ok" : "warning"}` });
  return job;
}

beforeAll(async () => {
  await p.start();
  const knownHosts = join(p.lab.dir, "known_hosts");
  writeFileSync(knownHosts, "");
  const nowhere = { address: "127.0.0.1", port: 22 } as LabHost;
  p.writeConfig(knownHosts, names.map((name) => ({ name, host: nowhere })), { groupWait: "2500ms", groupInterval: `${GROUP_INTERVAL_MS}ms`, dashboardUrl: DASHBOARD }, [`interval: ${INTERVAL_MS}ms`]);
  p.spawn("notifier");
  results = new Queue(QUEUES.results, queueOptions(QUEUES.results, p.redis));
}, 180_000);
afterAll(async () => {
  await results?.close();
  await p.stop();
});

/** "[FIRING] 500 critical (500 hosts)" → its counts. */
function headline(title: string): { critical: number; warning: number; resolved: number; hosts: number } {
  const n = (word: string) => Number(new RegExp(`(\\d+) ${word}`).exec(title)?.[1] ?? 0);
  return { critical: n("critical"), warning: n("warning"), resolved: n("resolved"), hosts: Number(/\((\d+) hosts?\)/.exec(title)?.[1] ?? 0) };
}

/** A check's line in the storm form: "**process** (500):" → 500. */
const checkCount = (text: string, check: string) => Number(new RegExp(`\\*\\*${check}\\*\\* \\((\\d+)\\)`).exec(text)?.[1] ?? 0);

/** Most messages the robot got in any 60 s window. */
function busiestMinute(messages: readonly { at: number }[]): number {
  let most = 0;
  for (const m of messages) most = Math.max(most, messages.filter((o) => o.at >= m.at && o.at < m.at + 60_000).length);
  return most;
}

/** Messages grouped into sends: the parts of one send share its title and arrive together. */
function sends(messages: readonly ReceivedMessage[]): ReceivedMessage[][] {
  const grouped: ReceivedMessage[][] = [];
  for (const m of messages) {
    const last = grouped.at(-1);
    if (last && last[0]!.title === m.title && m.at - last.at(-1)!.at < 10_000) last.push(m);
    else grouped.push([m]);
  }
  return grouped;
}

async function feed(state: "ok" | "critical", from = 0, to = HOSTS): Promise<void> {
  const slotStart = await redisNow(p.redis);
  await results.addBulk(names.slice(from, to).map((name, j) => ({ name: "result", data: result(name, from + j, slotStart, state), opts: { jobId: `${name}.${slotStart}` } })));
}

describe("a storm: every host critical in one interval, then all recover", () => {
  scenario(import.meta.url, "storm", "500 hosts critical in one interval (100 in the short form), then all recovered: within the robot's limits, counted once each, the dashboard linked", { short: true, timeoutMs: 300_000 }, async () => {
    const told = (kind: "FIRING" | "RESOLVED") => p.standIn.received.filter((m) => m.title.startsWith(`[${kind}]`));
    // Each message shows the whole group (docs/pipeline.md), so the last send of each kind counts every host.
    const counted = (kind: "FIRING" | "RESOLVED") => headline(sends(told(kind)).at(-1)?.[0]!.title ?? "").hosts;

    if (FULL) {
      // A fifth of the hosts first, the rest after the first send: the group's next message (after groupInterval) shows it whole.
      await feed("critical", 0, HOSTS / 5);
      await eventually(() => told("FIRING").length > 0, 60_000, "the first send");
      await feed("critical", HOSTS / 5);
    } else await feed("critical");
    await eventually(() => counted("FIRING") >= HOSTS, 90_000, `all ${HOSTS} hosts counted as firing`);
    await eventually(async () => (await results.getJobCounts("waiting", "active")).waiting === 0, 60_000, "every result consumed");
    await feed("ok");
    await eventually(() => counted("RESOLVED") >= HOSTS, 90_000, `all ${HOSTS} hosts counted as resolved`).catch((e) => {
      writeFileSync("/tmp/fh/storm.json", JSON.stringify(p.standIn.received.map((m) => ({ at: m.at, title: m.title, text: m.text })), null, 1));
      throw e;
    });
    // Anything said twice would follow within a group interval: wait one out.
    await new Promise((r) => setTimeout(r, GROUP_INTERVAL_MS + 2_000));

    const firing = sends(told("FIRING"));
    const resolved = sends(told("RESOLVED"));
    const all = p.standIn.received;
    const problems: string[] = [];
    const twice = new Set<string>();
    for (const send of [...firing, ...resolved]) {
      const head = headline(send[0]!.title);
      if (send.length > 3) problems.push(`a send of ${send.length} messages: ${send[0]!.title}`);
      const text = send.map((m) => m.text).join("\n");
      const kind = send[0]!.title.startsWith("[FIRING]") ? "firing" : "resolved";
      if (!text.includes(`[Status page](${DASHBOARD})`)) problems.push(`no dashboard link: ${send[0]!.title}`);
      if (text.includes("…and ") && !text.includes(`${DASHBOARD}?state=${kind}&check=process`)) problems.push(`"…and N more" without the filtered dashboard link: ${send[0]!.title}`);
      if (kind === "firing" && (head.warning !== 0 || head.critical !== head.hosts)) problems.push(`hosts not counted once at their worst severity: ${send[0]!.title}`);
      if (checkCount(text, "process") !== head.hosts) problems.push(`process count ${checkCount(text, "process")} ≠ ${head.hosts} hosts: ${send[0]!.title}`);
      const listed = text.match(/storm-\d{3}/g) ?? [];
      // A host named twice in one send: under its two checks (process and cpu) at most.
      for (const name of new Set(listed)) if (listed.filter((x) => x === name).length > 2) twice.add(name);
    }
    // A send that says nothing new (the same counts as the one before) is a repeat.
    const repeats = [firing, resolved].reduce((sum, kind) => sum + kind.filter((send, i) => i > 0 && send[0]!.title === kind[i - 1]![0]!.title).length, 0);
    const attempts130101 = p.standIn.attempts.filter((a) => a.errcode === 130101).length;
    const busiest = busiestMinute(all);
    expect(problems).toEqual([]);
    expect(busiest, "messages in the busiest minute").toBeLessThanOrEqual(20);
    expect(attempts130101, "answers 130101 (over the rate limit)").toBe(0);
    const firingHosts = counted("FIRING");
    const resolvedHosts = counted("RESOLVED");
    return {
      expected: 2 * HOSTS,
      delivered: Math.min(firingHosts, HOSTS) + Math.min(resolvedHosts, HOSTS),
      lost: Math.max(0, HOSTS - firingHosts) + Math.max(0, HOSTS - resolvedHosts),
      duplicated: Math.max(0, firingHosts - HOSTS) + Math.max(0, resolvedHosts - HOSTS) + twice.size + repeats,
      allowedDuplicates: 0,
      notes: `${firing.length} firing send(s) of ${firing.map((s) => s.length).join("+")} message(s), ${resolved.length} resolved send(s) of ${resolved.map((s) => s.length).join("+")}; busiest minute ${busiest} messages; titles: ${[...firing, ...resolved].map((s) => s[0]!.title).join(" / ")}`,
    };
  });
});
