import { Redis } from "ioredis";
import { afterAll, afterEach, beforeAll, describe, expect } from "vitest";
import { readLane, readParked } from "@fleetwatch/core";
import type { RedisHandle, WebhookFault } from "@fleetwatch/testkit";
import { DingtalkStandIn, startRedis, waitFor } from "@fleetwatch/testkit";
import type { InProcessNotifier } from "./notifier-in-process.js";
import { notifierInProcess, robotFleet } from "./notifier-in-process.js";
import { countDeliveries, scenario } from "./scenario.js";

const TOKEN = "fault-robot";
const SECRET = "SEC-fault-suite-secret";
const HOSTS = ["web-a", "web-b", "web-c"];

let redisHandle: RedisHandle;
let redis: Redis;
// The real robot limit (20 a minute) would carry over between cases through the stand-in; 130101 is injected instead.
const standIn = new DingtalkStandIn({ robots: { [TOKEN]: SECRET }, perMinute: 10_000 });
let notifier: InProcessNotifier | undefined;

beforeAll(async () => {
  redisHandle = await startRedis();
  redis = new Redis(redisHandle.url, { maxRetriesPerRequest: null });
  await standIn.start();
  process.env.FW_FAULT_WEBHOOK = standIn.url(TOKEN);
  process.env.FW_FAULT_SECRET = SECRET;
});
afterEach(async () => {
  await notifier?.stop();
  notifier = undefined;
  standIn.recover();
  standIn.received.length = 0;
  standIn.attempts.length = 0;
  await redis.flushall();
});
afterAll(async () => {
  redis?.disconnect();
  await redisHandle?.stop();
  await standIn.stop();
});

/**
 * (host, FIRING|RESOLVED) pairs in the order the chat shows them, one per host a message names:
 * a message titled FIRING may also carry a RESOLVED section for other hosts of its group.
 */
function chatLog(): string[] {
  const pairs: string[] = [];
  for (const message of standIn.received) {
    const status = message.title.split("]")[0]!.slice(1);
    const resolvedAt = message.text.search(/^#### ✅ RESOLVED$/m);
    for (const h of HOSTS) {
      const at = message.text.indexOf(`**${h}**`);
      if (at >= 0) pairs.push(`${h} ${resolvedAt >= 0 && at > resolvedAt ? "RESOLVED" : status}`);
    }
  }
  return pairs;
}

const expectedPairs = (status: string) => HOSTS.map((h) => `${h} ${status}`);

interface WebhookCase {
  name: string;
  /** What the webhook does, and how many answers in a row. */
  fault: WebhookFault | "down";
  times: number;
  /** The fault parks the message: the fix is a reload that retries parked ones. */
  parks?: boolean;
  /** DingTalk accepted a message it did not answer in time: the one duplicate the guarantee allows. */
  allowedDuplicates?: number;
  short?: boolean;
}

const CASES: WebhookCase[] = [
  { name: "refused connections (webhook down), then up", fault: "down", times: 0, short: true },
  { name: "connection reset before any answer", fault: "refused", times: 2 },
  { name: "HTTP 502 gateway page", fault: "http-502", times: 3 },
  { name: "errcode 130101 (rate limited): robot paused, then the same message", fault: "errcode-130101", times: 1 },
  { name: "errcode 310000 (signature/keyword): parked, re-sent after the fix", fault: "errcode-310000", times: 1, parks: true },
  { name: "errcode 300001 (bad token): parked, re-sent after the fix", fault: "errcode-300001", times: 1, parks: true },
  { name: "errcode 460101 (too long): split and re-sent", fault: "errcode-460101", times: 1 },
  { name: "HTTP 200 with invalid JSON", fault: "invalid-json", times: 2 },
  { name: "HTTP 200 with an HTML error page", fault: "html-page", times: 2 },
  { name: "answering after 30 s, past the client's 10 s timeout (message accepted)", fault: "slow", times: 1, allowedDuplicates: 1 },
];

describe("the webhook misbehaving, then recovering", () => {
  for (const c of CASES) {
    scenario(import.meta.url, "webhook", c.name, { short: c.short ?? false, timeoutMs: 150_000 }, async () => {
      notifier = notifierInProcess(redis, `fault-${c.fault}`, robotFleet("FW_FAULT_WEBHOOK", "FW_FAULT_SECRET"), { pauseMs: 3_000 });
      if (c.fault === "down") await standIn.down();
      else standIn.misbehave(c.fault, c.times, { slowMs: 30_000 });
      // The first host's message meets the fault; the others queue behind it (or pass a parked one).
      await notifier.feed(HOSTS[0]!, "critical");
      if (c.fault === "down") await waitFor("the lane to hold the first message", async () => (await readLane(redis, "ops")).some((m) => m.attempts > 0), 60_000);
      else await waitFor("the fault answered", () => standIn.attempts.length >= 1, 60_000);
      for (const h of HOSTS.slice(1)) {
        await notifier.feed(h, "critical");
        await new Promise((r) => setTimeout(r, 400)); // past groupInterval: a message of its own
      }
      if (c.fault === "down") await standIn.up();
      if (c.parks) {
        await waitFor("the message parked", async () => (await readParked(redis, "ops")).length > 0, 60_000);
        standIn.recover();
        notifier.reload(robotFleet("FW_FAULT_WEBHOOK", "FW_FAULT_SECRET")); // the fix: a reload retries what was parked
      }
      await waitFor("every FIRING in the chat", () => expectedPairs("FIRING").every((p) => chatLog().includes(p)), 90_000);
      for (const h of HOSTS) await notifier.feed(h, "ok");
      await waitFor("every RESOLVED in the chat", () => expectedPairs("RESOLVED").every((p) => chatLog().includes(p)), 90_000);
      await waitFor("the lane drained", async () => (await readLane(redis, "ops")).length === 0, 30_000);
      await new Promise((r) => setTimeout(r, 1_500)); // a late duplicate would show by now
      const log = chatLog();
      if (process.env.FW_TEST_LOG) console.log(JSON.stringify(standIn.received.map((m) => [m.title, m.text]), null, 1), standIn.attempts);
      // In order: each host's FIRING before its RESOLVED; with nothing parked, FIRINGs in the order they fired.
      for (const h of HOSTS) expect(log.indexOf(`${h} FIRING`)).toBeLessThan(log.indexOf(`${h} RESOLVED`));
      const firings = log.filter((p) => p.endsWith("FIRING")).map((p) => p.split(" ")[0]!);
      const firstSeen = [...new Set(firings)];
      // A parked message lets later ones pass (they name the parked host too, as the group still fires).
      if (!c.parks) expect(firstSeen).toEqual(HOSTS);
      expect(await readParked(redis, "ops")).toEqual([]);
      // Lost: a host's FIRING or RESOLVED in no message. Duplicated: the same message (one lane
      // message, retried) reaching the chat twice; a group's later message naming a host that
      // still fires is news about the group, not a duplicate.
      const pairs = countDeliveries([...expectedPairs("FIRING"), ...expectedPairs("RESOLVED")], [...new Set(log)]);
      const messages = countDeliveries([], standIn.received.map((m) => `${m.title}\n${m.text}`), c.allowedDuplicates ?? 0);
      const counters = { ...pairs, duplicated: messages.duplicated, allowedDuplicates: messages.allowedDuplicates };
      const faults = standIn.attempts.filter((a) => a.errcode !== 0).length;
      return { ...counters, notes: `${standIn.attempts.length} attempts, ${faults} misbehaved` };
    });
  }
});
