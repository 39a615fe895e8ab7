import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { Queue } from "bullmq";
import { afterAll, afterEach, beforeAll, describe, expect } from "vitest";
import type { ResultJob } from "@fleetwatch/core";
import { AlertStore, QUEUES, queueOptions, redisNow } from "@fleetwatch/core";
import type { LabHost } from "@fleetwatch/testkit";
import { waitFor } from "@fleetwatch/testkit";
import { Pipeline } from "../pipeline-harness.js";
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
  await p.redis.flushall();
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
});
