import { existsSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect } from "vitest";
import type { ResultJob } from "@fleetwatch/core";
import { AlertStore, QUEUES, queueOptions, readLane, redisNow } from "@fleetwatch/core";
import type { LabHost } from "@fleetwatch/testkit";
import { AppProcess, DingtalkStandIn, startRedis, waitFor } from "@fleetwatch/testkit";
import { Pipeline, SECRET, TOKEN } from "../pipeline-harness.js";
import { processResult } from "./notifier-in-process.js";
import { countDeliveries, scenario } from "./scenario.js";

const p = new Pipeline();
let results: Queue<ResultJob>;

beforeAll(async () => {
  await p.start();
  const knownHosts = join(p.lab.dir, "known_hosts");
  writeFileSync(knownHosts, "");
  p.writeConfig(knownHosts, [{ name: "web-1", host: { address: "127.0.0.1", port: 22 } as LabHost }], { groupWait: "100ms", groupInterval: "300ms" });
  results = new Queue<ResultJob>(QUEUES.results, queueOptions(QUEUES.results, p.redis));
}, 180_000);
afterEach(async () => {
  await Promise.all(p.apps.splice(0).map((a) => a.stop()));
  await results.obliterate({ force: true });
  await p.flushRedis();
  p.standIn.received.length = 0;
  p.standIn.attempts.length = 0;
  p.standIn.recover();
});
afterAll(async () => {
  await results?.close();
  await p.stop();
});

/** FIRING messages in the chat naming this host. */
const firings = (host: string) => p.standIn.received.filter((m) => m.title.startsWith("[FIRING]") && m.text.includes(`**${host}**`)).map((m) => `${m.title}\n${m.text}`);

describe("processes dying", () => {
  scenario(import.meta.url, "processes", "notifier dies between queueing a message and recording it (fault point), restarted", { short: true, timeoutMs: 180_000 }, async () => {
    const doomed = p.spawn("notifier", { FLEETWATCH_FAULT: "exit-after-enqueue" });
    await results.add("result", processResult("web-1", await redisNow(p.redis), "critical"));
    expect(await doomed.exited).toBe(70);
    p.spawn("notifier");
    // The dead replica's sender lock lapses first (15 s).
    await waitFor("the FIRING", () => firings("web-1").length > 0, 90_000);
    await waitFor("the decision recorded", async () => (await new AlertStore(p.redis).load("web-1"))?.alerts["process:app"]?.delivered.ops, 60_000);
    await new Promise((r) => setTimeout(r, 2_000)); // a late second copy would show by now
    // Allowed: one more copy, only if the dead sender had sent it (here it died before sending).
    return { ...countDeliveries(["web-1"], firings("web-1").map(() => "web-1"), 1), notes: "process exits with 70 at FLEETWATCH_FAULT=exit-after-enqueue" };
  });

  scenario(import.meta.url, "processes", "notifier SIGKILLed while DingTalk holds its request (accepted, unanswered), restarted", { timeoutMs: 180_000 }, async () => {
    p.standIn.misbehave("slow", 1, { slowMs: 30_000 });
    const doomed = p.spawn("notifier");
    await results.add("result", processResult("web-2", await redisNow(p.redis), "critical"));
    await waitFor("the message accepted by DingTalk, answer pending", () => firings("web-2").length > 0, 90_000);
    doomed.signal("SIGKILL");
    await doomed.exited;
    p.spawn("notifier");
    await waitFor("the decision recorded as delivered", async () => (await new AlertStore(p.redis).load("web-2"))?.alerts["process:app"]?.delivered.ops, 90_000);
    await new Promise((r) => setTimeout(r, 2_000));
    // The one duplicate the guarantee allows: the sender died after DingTalk accepted it.
    return { ...countDeliveries(["web-2"], firings("web-2").map(() => "web-2"), 1), notes: "the first copy was accepted before the kill; a second is allowed" };
  });

  scenario(import.meta.url, "processes", "notifier SIGKILLed while holding the dispatcher lock, a standby replica beside it: the standby takes over, every message once", { timeoutMs: 180_000 }, async () => {
    const holds = (app: AppProcess) => existsSync(app.logFile) && readFileSync(app.logFile, "utf8").includes("this replica holds the dispatcher lock");
    const first = p.spawn("notifier");
    await waitFor("the first notifier to hold the dispatcher lock", () => holds(first), 90_000);
    await results.add("result", processResult("web-4", await redisNow(p.redis), "critical"));
    await waitFor("web-4's FIRING", () => firings("web-4").length > 0, 90_000);
    const standby = p.spawn("notifier");
    await waitFor("the standby up", async () => (await fetch(`${await standby.httpUrl()}/healthz`)).ok, 90_000);
    first.signal("SIGKILL");
    await first.exited;
    // Decided after the kill: only the standby can say it, once the dead replica's lock lapses.
    await results.add("result", processResult("web-5", await redisNow(p.redis), "critical"));
    await waitFor("the standby to take the lock", () => holds(standby), 90_000);
    await waitFor("web-5's FIRING", () => firings("web-5").length > 0, 90_000);
    await waitFor("web-5's decision recorded as delivered", async () => (await new AlertStore(p.redis).load("web-5"))?.alerts["process:app"]?.delivered.ops, 60_000);
    await new Promise((r) => setTimeout(r, 3_000)); // a late second copy would show by now
    // A group's later message repeats what still fires in it (web-4 beside web-5): a host
    // counts once; the same message arriving twice would be the duplicate.
    const said = ["web-4", "web-5"].filter((h) => firings(h).length > 0);
    const copies = countDeliveries([], p.standIn.received.map((m) => `${m.title}\n${m.text}`));
    return { ...countDeliveries(["web-4", "web-5"], said), duplicated: copies.duplicated, notes: "a lock holder killed without a word; the standby took the lock when it lapsed and said what was decided after, once" };
  });

  scenario(import.meta.url, "processes", "Redis SIGKILLed (appendfsync always) with decided messages queued, restarted: every one delivered", { timeoutMs: 240_000 }, async () => {
    const redisHandle = await startRedis({ persistent: true });
    const redis = new Redis(redisHandle.url, { maxRetriesPerRequest: null });
    const standIn = new DingtalkStandIn({ robots: { [TOKEN]: SECRET }, perMinute: 10_000 });
    await standIn.start();
    const env = { REDIS_URL: redisHandle.url, FW_TEST_WEBHOOK: standIn.url(TOKEN), FW_TEST_SECRET: SECRET };
    const notifier = new AppProcess("notifier", p.config, env, join(p.lab.dir, "notifier-redis-kill.log"));
    const queue = new Queue<ResultJob>(QUEUES.results, queueOptions(QUEUES.results, redis));
    const hosts = ["db-1", "db-2", "db-3"];
    try {
      standIn.outage(600_000); // DingTalk down: the decided messages wait in the lane
      for (const host of hosts) await queue.add("result", processResult(host, await redisNow(redis), "critical"));
      await waitFor("every host decided and waiting in the lane", async () => {
        const queued = (await readLane(redis, "ops")).flatMap((m) => m.reports.map((r) => r.host));
        return hosts.every((h) => queued.includes(h));
      }, 90_000);
      await waitFor("a failed attempt", () => standIn.attempts.length > 0, 90_000);
      await redisHandle.restart(); // SIGKILL, then the same port and data
      standIn.recover();
      const seen = () => standIn.received.flatMap((m) => hosts.filter((h) => m.text.includes(`**${h}**`)).map((h) => `${h} ${m.title.split("]")[0]!.slice(1)}`));
      await waitFor("every FIRING after the restart", () => hosts.every((h) => seen().includes(`${h} FIRING`)), 120_000);
      await new Promise((r) => setTimeout(r, 2_000));
      expect(notifier.child.exitCode, "the notifier rode out the restart").toBeNull();
      const messages = countDeliveries([], standIn.received.map((m) => `${m.title}\n${m.text}`));
      return { ...countDeliveries(hosts.map((h) => `${h} FIRING`), [...new Set(seen())]), duplicated: messages.duplicated, notes: `${standIn.attempts.length} attempts; Redis killed while the messages waited in the lane` };
    } finally {
      await notifier.stop();
      await queue.close();
      redis.disconnect();
      await redisHandle.stop();
      await standIn.stop();
    }
  });
});
