import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Job } from "bullmq";
import { Queue } from "bullmq";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import type { LoadedFleet, ResultJob, RobotSettings } from "@fleetwatch/core";
import { acquireLease, AlertStore, KEYS, publishMembership, QUEUES, queueOptions, readLane, readParked, readRobotHealth, redisNow, resolveNotifySettings } from "@fleetwatch/core";
import type { LabHost } from "@fleetwatch/testkit";
import { DingtalkStandIn, waitFor } from "@fleetwatch/testkit";
import { Dispatcher } from "../apps/notifier/src/dispatcher.js";
import { resultProcessor } from "../apps/notifier/src/result-processor.js";
import { RobotSender } from "../apps/notifier/src/robot-sender.js";
import { runCli } from "./cli-process.js";
import { Pipeline, SECRET, TOKEN } from "./pipeline-harness.js";
import { quietLog, syntheticResult } from "./synthetic-results.js";

const p = new Pipeline();
const quiet = quietLog;
const running: { stop(): Promise<void> | void }[] = [];

const result = (host: string, slotStart: number, state: "ok" | "critical") => syntheticResult(host, slotStart, state);

const fleet = (webhookVar = "FW_DELIVERY_WEBHOOK") =>
  ({
    file: "fleet.yaml",
    version: "1",
    hosts: [],
    config: { notify: { groupWait: 0, groupInterval: 300, repeatInterval: 3_600_000, locale: "en", dingtalk: [{ name: "ops", webhook: `\${${webhookVar}}`, secret: "${FW_TEST_SECRET}" }] } },
  }) as unknown as LoadedFleet;

/** A notifier in this process: results in, a dispatcher ticking, senders; faster than processes and just as real against Redis. */
function notifierInProcess(id: string, config = fleet(), senders = 1) {
  const store = new AlertStore(p.redis);
  const dispatcher = new Dispatcher(p.redis, store, config, id, quiet);
  let robot: RobotSettings = resolveNotifySettings(config.config).robots[0]!;
  const apply = resultProcessor(store, () => 3, quiet);
  const sending = Array.from({ length: senders }, (_, i) => new RobotSender(p.redis, "ops", () => robot, `${id}-s${i}`, quiet, { pollMs: 50, leaseMs: 5_000 }));
  for (const s of sending) s.start();
  let ticking = true;
  const loop = (async () => {
    while (ticking) {
      await dispatcher.tick();
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  const handle = {
    store,
    dispatcher,
    reload(next: LoadedFleet) {
      robot = resolveNotifySettings(next.config).robots[0]!;
      dispatcher.useConfig(next);
    },
    async feed(host: string, state: "ok" | "critical") {
      await apply({ data: result(host, await redisNow(p.redis), state) } as Job);
    },
    async stop() {
      ticking = false;
      await loop;
      await dispatcher.stop();
      await Promise.all(sending.map((s) => s.stop()));
    },
  };
  running.push(handle);
  return handle;
}

const titles = () => p.standIn.received.map((m) => m.title.split("]")[0]!.slice(1));

beforeAll(async () => {
  await p.start();
  process.env.FW_DELIVERY_WEBHOOK = p.standIn.url(TOKEN);
  process.env.FW_BAD_WEBHOOK = p.standIn.url("no-such-token");
  process.env.FW_TEST_SECRET = SECRET;
});
afterEach(async () => {
  for (const r of running.splice(0)) await r.stop();
  await Promise.all(p.apps.splice(0).map((a) => a.stop()));
  await p.flushRedis();
  p.standIn.received.length = 0;
  p.standIn.attempts.length = 0;
  p.standIn.outage(0);
});
afterAll(async () => {
  await p.stop();
});

describe("delivery, one lane per robot", () => {
  it("keeps FIRING before RESOLVED through a webhook outage (or sends only a message that supersedes)", async () => {
    const n = notifierInProcess("n1");
    p.standIn.outage(2_500);
    await n.feed("web-1", "critical");
    await waitFor("a failed attempt during the outage", () => p.standIn.attempts.some((a) => a.status === 502), 20_000);
    await n.feed("web-1", "ok");
    await waitFor("the lane to drain", async () => p.standIn.received.length > 0 && (await readLane(p.redis, "ops")).length === 0, 40_000);
    expect([["FIRING", "RESOLVED"], ["RESOLVED"]]).toContainEqual(titles());
  });

  it("sends each message once, in order, with two senders on one robot", async () => {
    const n = notifierInProcess("n2", fleet(), 2);
    for (const host of ["a", "b", "c"]) {
      await n.feed(host, "critical");
      await waitFor(`${host} sent`, () => p.standIn.received.some((m) => m.text.includes(`**${host}**`)), 20_000);
    }
    expect(titles()).toEqual(["FIRING", "FIRING", "FIRING"]);
    expect(p.standIn.attempts).toHaveLength(3);
  });

  it("parks a message DingTalk refuses (300001), shows the robot failing, and re-sends what still fires once it is fixed", async () => {
    const n = notifierInProcess("n3", fleet("FW_BAD_WEBHOOK"));
    await n.feed("db-1", "critical");
    const health = await waitFor("the robot to be failing", async () => (await readRobotHealth(p.redis)).ops?.state === "failing" && (await readRobotHealth(p.redis)).ops, 20_000);
    expect(health).toMatchObject({ errcode: 300001 });
    expect(await readParked(p.redis, "ops")).toHaveLength(1);
    const lease = (await acquireLease(p.redis, "test", 60_000))!;
    await publishMembership(p.redis, lease, [
      {
        name: "db-1",
        address: "127.0.0.1",
        ssh: { user: "u", port: 22, key: "/k", knownHosts: "/kh", hostKeyPolicy: "strict", connectTimeoutMs: 1, handshakeTimeoutMs: 1, commandTimeoutMs: 1 },
        intervalMs: 60_000,
        for: 1,
        thresholds: { cpu: {}, memory: {}, swap: {}, load: {}, disk: {}, inodes: {}, mounts: {} },
        processes: [],
        mounts: "auto",
      },
    ], "1");
    const status = await runCli(["status", "--json"], { REDIS_URL: p.redisUrl });
    expect(JSON.parse(status.stdout).robots.ops).toMatchObject({ state: "failing", errcode: 300001 });
    expect(status.stderr).toContain("DingTalk robot ops is failing");
    await n.feed("db-2", "critical"); // a later message is not held up by the parked one
    await waitFor("a second attempt", () => p.standIn.attempts.length >= 2, 20_000);
    n.reload(fleet()); // fixed in the config: reload retries what was parked
    await waitFor("db-1 and db-2 to reach the chat", () => ["db-1", "db-2"].every((h) => p.standIn.received.some((m) => m.text.includes(h))), 20_000);
    // The sender records the robot's health after the delivery that proved it: wait for it.
    await waitFor("the robot to be ok again", async () => (await readRobotHealth(p.redis)).ops?.state === "ok", 20_000);
    await n.feed("db-1", "ok");
    await n.feed("db-2", "ok");
    await waitFor("the RESOLVED", () => p.standIn.received.some((m) => m.title.startsWith("[RESOLVED]")), 20_000);
  });

  it("retries parked messages every 15 minutes, so a robot fixed on DingTalk's side gets what still fires", async () => {
    process.env.FW_FLIP_WEBHOOK = p.standIn.url("no-such-token");
    const n = notifierInProcess("n7", fleet("FW_FLIP_WEBHOOK"));
    await n.feed("db-3", "critical");
    await waitFor("the robot to be failing", async () => (await readRobotHealth(p.redis)).ops?.state === "failing", 20_000);
    process.env.FW_FLIP_WEBHOOK = p.standIn.url(TOKEN); // the token was fixed on DingTalk's side: same config
    await new Promise((r) => setTimeout(r, 1_000));
    expect(p.standIn.received).toEqual([]); // nothing is retried before the 15 minutes are up
    await p.redis.set(KEYS.unparkedAt, String((await redisNow(p.redis)) - 16 * 60_000));
    await waitFor("db-3 to reach the chat", () => p.standIn.received.some((m) => m.text.includes("db-3")), 20_000);
  });

  it("splits a message DingTalk finds too long (460101) and sends it in parts", async () => {
    const small = new DingtalkStandIn({ robots: { [TOKEN]: SECRET }, maxBytes: 1_200 });
    await small.start();
    process.env.FW_SMALL_WEBHOOK = small.url(TOKEN);
    const n = notifierInProcess("n4", fleet("FW_SMALL_WEBHOOK"));
    for (let i = 0; i < 12; i++) await n.feed(`a-rather-long-host-name-${i}`, "critical");
    await waitFor("every host delivered", () => Array.from({ length: 12 }, (_, i) => `a-rather-long-host-name-${i}`).every((h) => small.received.some((m) => m.text.includes(h))), 20_000);
    expect(small.attempts.some((a) => a.errcode === 460101)).toBe(true);
    await n.stop();
    await small.stop();
  });

  it("says a decision once when the dispatcher lock lapses between queueing and recording", async () => {
    const n = notifierInProcess("n5");
    const other = notifierInProcess("n6");
    process.env.FLEETWATCH_FAULT = "lapse-lock";
    try {
      await n.feed("web-9", "critical");
      await waitFor("the FIRING", () => p.standIn.received.length > 0, 20_000);
    } finally {
      delete process.env.FLEETWATCH_FAULT;
    }
    await new Promise((r) => setTimeout(r, 2_000)); // both replicas have ticked many times since
    expect(titles()).toEqual(["FIRING"]);
    await other.stop();
  });

  it("says a decision once when the notifier dies between queueing and recording", async () => {
    const knownHosts = join(p.lab.dir, "known_hosts");
    writeFileSync(knownHosts, "");
    p.writeConfig(knownHosts, [{ name: "web-1", host: { address: "127.0.0.1", port: 22 } as LabHost }], { groupWait: "100ms", groupInterval: "300ms" });
    const doomed = p.spawn("notifier", { FLEETWATCH_FAULT: "exit-after-enqueue" });
    const results = new Queue<ResultJob>(QUEUES.results, queueOptions(QUEUES.results, p.redis));
    await results.add("result", result("web-1", await redisNow(p.redis), "critical"));
    expect(await doomed.exited).toBe(70);
    p.spawn("notifier");
    // The dead replica's sender lock lapses first (15 s).
    await waitFor("the FIRING", () => p.standIn.received.length > 0, 45_000);
    await waitFor("the decision recorded", async () => (await new AlertStore(p.redis).load("web-1"))?.alerts["process:app"]?.delivered.ops, 20_000);
    expect(titles()).toEqual(["FIRING"]);
    await results.close();
  });
});
