import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlertStore, checkQueueOf, queueOptions } from "@fleetwatch/core";
import { CanaryProcess, uniqueProcessName } from "@fleetwatch/testkit";
import { runCli } from "./cli-process.js";
import { eventually, Pipeline, sleep } from "./pipeline-harness.js";

const fleetwatch = (env: Record<string, string>, ...args: string[]) => runCli(args, env);

const p = new Pipeline();
const canaries: Record<string, CanaryProcess> = {};
const names = ["quick", "outage", "quiet"];
/** Each host's required process, unique to this run (every lab host is this machine). */
const processOf: Record<string, string> = Object.fromEntries(names.map((name) => [name, uniqueProcessName(`fw${name}`)]));


const firingFor = async (host: string) => (await new AlertStore(p.redis).load(host))?.alerts[`process:${processOf[host]}`]?.status;

beforeAll(async () => {
  await p.start();
  const hosts = await p.lab.startHosts({ count: 3 });
  for (const name of names) {
    canaries[name] = new CanaryProcess(p.lab.dir, processOf[name]!);
    canaries[name]!.start();
  }
  const knownHosts = await p.lab.writeKnownHosts("known_hosts", hosts);
  p.writeConfig(
    knownHosts,
    names.map((name, i) => ({ name, host: hosts[i]!, extra: `processes: [${processOf[name]}]` })),
    { groupWait: "4s", groupInterval: "1s" },
  );
  p.startAll();
  await eventually(async () => (await p.latest("quiet"))?.outcome === "ok", 30_000, "first results");
});
afterAll(async () => {
  for (const c of Object.values(canaries)) await c.stop();
  await p.stop();
});

describe("pipeline resilience", () => {
  it("shows every host's latest result with fleetwatch status", async () => {
    const env = { REDIS_URL: p.redisUrl };
    const { code, stdout } = await fleetwatch(env, "status");
    expect(stdout).toMatch(/^quiet\s+OK/m);
    expect(stdout).toMatch(/^outage\s+OK/m);
    expect(code).toBe(0);
    const down = await fleetwatch({ REDIS_URL: "redis://user:pw@127.0.0.1:1" }, "status");
    expect(down.stderr).toContain("cannot talk to Redis at redis://127.0.0.1:1");
    expect(down.code).toBe(3);
  });

  it("sends nothing for an alert that resolves within groupWait", async () => {
    await canaries.quick!.stop();
    await eventually(async () => (await firingFor("quick")) === "firing", 15_000, "quick firing");
    canaries.quick!.start();
    await eventually(async () => (await firingFor("quick")) === undefined, 15_000, "quick resolved and forgotten");
    await sleep(5_000);
    expect(p.standIn.received.filter((m) => m.text.includes("quick"))).toEqual([]);
  });

  it("delivers every alert after a webhook outage, none twice", async () => {
    // Down until the notifier has met it (however long the alert takes to fire on a loaded
    // machine), and a little longer: then up again.
    p.standIn.outage(600_000);
    await canaries.outage!.stop();
    await eventually(() => p.standIn.attempts.some((a) => a.status === 502), 60_000, "a 502 during the outage");
    await sleep(3_000);
    p.standIn.recover();
    const delivered = await eventually(() => p.standIn.received.find((m) => m.text.includes("outage")), 40_000, "delivery after the outage");
    expect(delivered.title).toContain("[FIRING]");
    canaries.outage!.start();
    await eventually(() => p.standIn.received.filter((m) => m.text.includes("outage")).length === 2, 20_000, "resolved after the outage");
    await sleep(2_000);
    const aboutOutage = p.standIn.received.filter((m) => m.text.includes("outage"));
    expect(aboutOutage.map((m) => m.title.split("]")[0])).toEqual(["[FIRING", "[RESOLVED"]);
  });

  it("sends nothing for a silenced host, and sends when the silence expires while it still fires", async () => {
    const env = { REDIS_URL: p.redisUrl };
    const added = await fleetwatch(env, "silence", "add", "--host", "qui*", "--check", "process:*", "--for", "1h", "--reason", "maintenance", "--author", "test");
    expect(added.code).toBe(0);
    const id = /silence (\w+) added/.exec(added.stdout)![1]!;
    expect((await fleetwatch(env, "silence", "list")).stdout).toMatch(new RegExp(`${id}\\s+active\\s+qui\\*`));
    await canaries.quiet!.stop();
    await eventually(async () => (await firingFor("quiet")) === "firing", 15_000, "quiet firing");
    await sleep(6_000);
    expect(p.standIn.received.filter((m) => m.text.includes("quiet"))).toEqual([]);
    expect((await fleetwatch(env, "silence", "expire", id)).code).toBe(0);
    const sent = await eventually(() => p.standIn.received.find((m) => m.text.includes("quiet")), 20_000, "message after the silence expired");
    expect(sent.title).toContain("[FIRING]");
  });

  it("fails a check job with a malformed payload, with its reason, and keeps working", async () => {
    const queue = new Queue(checkQueueOf("x"), queueOptions(checkQueueOf("x"), p.redis));
    const job = await queue.add("check", { host: { name: "x" }, slot: "soon" }, { jobId: "garbage-1" });
    const failed = await eventually(async () => {
      const state = await queue.getJobState(job.id!);
      return state === "failed" ? await queue.getJob(job.id!) : undefined;
    }, 15_000, "the bad job to fail");
    expect(failed!.failedReason).toContain("invalid check job");
    expect(failed!.failedReason).toContain("slot");
    const before = (await p.latest("quiet"))!.finishedAt;
    await eventually(async () => (await p.latest("quiet"))!.finishedAt > before, 10_000, "a later check");
    expect(p.apps.every((a) => a.child.exitCode === null)).toBe(true);
    await queue.close();
  });
});
