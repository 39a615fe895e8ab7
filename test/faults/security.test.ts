import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { Job } from "bullmq";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { CheckJob, ResolvedHost } from "@fleetwatch/core";
import { QUEUES, queueOptions, readMembership, redisNow } from "@fleetwatch/core";
import type { LabHost } from "@fleetwatch/testkit";
import { DingtalkStandIn, waitFor } from "@fleetwatch/testkit";
import { runCli } from "../cli-process.js";
import { Pipeline } from "../pipeline-harness.js";
import { scenario } from "./scenario.js";

/** Distinctive random secrets: a hit anywhere is a leak, never a coincidence. */
const token = `tok${randomBytes(12).toString("hex")}`;
const secret = `SEC${randomBytes(16).toString("hex")}`;
const httpUser = "fw-ops";
const httpPassword = `pw${randomBytes(12).toString("hex")}`;
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

const p = new Pipeline();
p.standIn = new DingtalkStandIn({ robots: { [token]: secret } });
let changed: LabHost;
let honest: LabHost;
let env: Record<string, string>;

beforeAll(async () => {
  await p.start();
  const started = await p.lab.startHosts({ count: 2, behaviour: "logged" });
  changed = started[0]!;
  honest = started[1]!;
  const knownHosts = await p.lab.writeKnownHosts("known_hosts", [changed, honest], {
    override: new Map([[changed.address, [await p.lab.impostorKey("ed25519")]]]),
  });
  p.writeConfig(knownHosts, [
    { name: "changed-key", host: changed },
    // A process that is not running: the host fires, so a message is signed and sent.
    { name: "honest", host: honest, extra: "processes: [fwsecurity-nothere]" },
  ], { groupWait: "200ms", groupInterval: "500ms" });
  env = { FW_TEST_WEBHOOK: p.standIn.url(token), FW_TEST_SECRET: secret, FLEETWATCH_HTTP_USER: httpUser, FLEETWATCH_HTTP_PASSWORD: httpPassword };
  p.spawn("scheduler", env);
  p.spawn("worker", env);
  p.spawn("notifier", env);
}, 180_000);
afterAll(async () => {
  await p.stop();
});

const runs = (host: LabHost) => p.lab.commandLog(host.address).split("\n").filter(Boolean).length;

describe("security sweep", () => {
  scenario(import.meta.url, "security", "a changed host key runs nothing (strict; pipeline and CLI), counted on the sshd side", { short: true, timeoutMs: 180_000 }, async () => {
    let refused = 0;
    // Several slots of the pipeline, each a fresh attempt at the changed host.
    const seen = new Set<number>();
    await waitFor("three refused slots of the changed host", async () => {
      const latest = await p.latest("changed-key");
      if (latest?.outcome === "hostkey_mismatch") seen.add(latest.startedAt);
      return seen.size >= 3;
    }, 90_000);
    refused += seen.size;
    await waitFor("the honest host checked", async () => (await p.latest("honest"))?.outcome === "ok", 60_000);
    const cli = await runCli(["check", "-c", p.config, "--json", "--host", "changed-key"], { ...p.env(), ...env });
    const cliResult = JSON.parse(cli.stdout) as { hosts: { outcome: string }[] };
    if (cliResult.hosts[0]?.outcome === "hostkey_mismatch") refused++;
    expect(cliResult.hosts[0]?.outcome).toBe("hostkey_mismatch");
    expect(runs(honest), "the honest host ran its probe").toBeGreaterThan(0);
    const ranOnChanged = runs(changed);
    expect(ranOnChanged, "commands run on the host whose key changed").toBe(0);
    return { expected: seen.size + 1, delivered: refused, lost: ranOnChanged, duplicated: 0, allowedDuplicates: 0, notes: `${seen.size} pipeline slots and 1 CLI check refused; ${ranOnChanged} commands reached the changed host's sshd` };
  });

  scenario(import.meta.url, "security", "shell metacharacters in a forged check job never reach a shell", { timeoutMs: 180_000 }, async () => {
    const canary = `/tmp/fleetwatch-pwned-${randomBytes(6).toString("hex")}`;
    const real = await waitFor("the honest host in the published membership", async () => (await readMembership(p.redis)).members.find((h) => h.name === "honest"), 60_000);
    expect(real, "the honest host in the published membership").toBeDefined();
    const checks = new Queue<CheckJob>(QUEUES.checks, queueOptions(QUEUES.checks, p.redis));
    const forged: ResolvedHost[] = [
      { ...real!, name: "forged-process", processes: ["x; rm -rf /", `aaaaaaaaaaaaaaa$(touch ${canary})`] },
      { ...real!, name: "forged-mount", mounts: [`/tmp/$(touch ${canary})`, `/;touch ${canary}`] },
    ];
    const jobs: Job<CheckJob>[] = [];
    for (const host of forged) jobs.push(await checks.add("check", { host, slot: 1, slotStart: await redisNow(p.redis), configVersion: "forged" }, { jobId: `${host.name}-1` }));
    await waitFor("the forged jobs judged", async () => {
      for (const job of jobs) if (!((await job.isCompleted()) || (await job.isFailed()))) return false;
      return true;
    }, 60_000);
    const judged = [];
    for (const job of jobs) {
      const now = (await checks.getJob(job.id!))!;
      judged.push({ failed: await now.isFailed(), reason: now.failedReason ?? "", returned: now.returnvalue as unknown });
    }
    await checks.close();
    // Refused as malformed payloads, naming the field, as the worker refuses any bad check job.
    expect(judged.map((j) => [j.failed, j.reason.replace(/: .*/, "")]), JSON.stringify(judged)).toEqual([
      [true, "invalid check job"],
      [true, "invalid check job"],
    ]);
    expect(judged[0]!.reason).toContain("host.processes");
    expect(judged[1]!.reason).toContain("host.mounts");
    const log = p.lab.commandLog(honest.address);
    expect(existsSync(canary), "a command in a forged name ran").toBe(false);
    expect(log).not.toContain("touch");
    expect(log).not.toContain("rm -rf");
    const worker = p.apps.find((a) => a.app === "worker")!;
    expect(worker.child.exitCode, "the worker still runs").toBeNull();
    return { expected: forged.length, delivered: forged.length, lost: existsSync(canary) ? 1 : 0, duplicated: 0, allowedDuplicates: 0, notes: "refused as invalid check jobs (field named); no metacharacter reached the host's shell" };
  });

  scenario(import.meta.url, "security", "distinctive secrets (webhook token, signing secret, HTTP password) appear in no log, Redis value, /metrics or status output", { timeoutMs: 180_000 }, async () => {
    await waitFor("a signed message delivered", () => p.standIn.received.some((m) => m.text.includes("honest")), 90_000);
    const places: { where: string; text: string }[] = [];
    for (const app of p.apps) places.push({ where: `log of ${app.app}`, text: readFileSync(app.logFile, "utf8") });
    places.push({ where: "fleet file", text: readFileSync(p.config, "utf8") });
    for (const key of await p.allKeys()) {
      const type = await p.redis.type(key);
      const value =
        type === "string" ? await p.redis.get(key)
        : type === "hash" ? JSON.stringify(await p.redis.hgetall(key))
        : type === "list" ? JSON.stringify(await p.redis.lrange(key, 0, -1))
        : type === "zset" ? JSON.stringify(await p.redis.zrange(key, "0", "-1"))
        : type === "set" ? JSON.stringify(await p.redis.smembers(key))
        : type === "stream" ? JSON.stringify(await p.redis.xrange(key, "-", "+"))
        : "";
      places.push({ where: `redis ${key}`, text: `${key} ${value ?? ""}` });
    }
    for (const app of p.apps) {
      const base = await app.httpUrl(60_000);
      for (const path of ["/metrics", "/readyz", "/healthz"]) {
        const response = await fetch(`${base}${path}`, { headers: { authorization: basic(httpUser, httpPassword) } });
        places.push({ where: `${app.app} ${path}`, text: await response.text() });
      }
    }
    const status = await runCli(["status", "--json"], { ...p.env(), ...env });
    places.push({ where: "fleetwatch status --json", text: status.stdout + status.stderr });
    const leaks = places.filter((place) => [token, secret, httpPassword].some((s) => place.text.includes(s))).map((place) => place.where);
    expect(leaks).toEqual([]);
    return { expected: places.length, delivered: places.length - leaks.length, lost: leaks.length, duplicated: 0, allowedDuplicates: 0, notes: `${places.length} places searched (app logs, every Redis key incl. job data, /metrics, /readyz, /healthz of each app, status output); leaks: ${leaks.length}` };
  });

  scenario(import.meta.url, "security", "every HTTP surface answers 401 without credentials or with a wrong password (only /healthz is open)", { timeoutMs: 120_000 }, async () => {
    const surfaces: string[] = [];
    const wrong: string[] = [];
    for (const app of p.apps) {
      const base = await app.httpUrl(60_000);
      for (const path of ["/metrics", "/readyz"]) {
        for (const [how, headers] of [["no credentials", {}], ["a wrong password", { authorization: basic(httpUser, "wrong") }]] as const) {
          surfaces.push(`${app.app} ${path} with ${how}`);
          const response = await fetch(`${base}${path}`, { headers });
          await response.text();
          if (response.status !== 401 || !response.headers.get("www-authenticate")) wrong.push(`${app.app} ${path} with ${how}: HTTP ${response.status}`);
        }
        const allowed = await fetch(`${base}${path}`, { headers: { authorization: basic(httpUser, httpPassword) } });
        await allowed.text();
        if (allowed.status === 401) wrong.push(`${app.app} ${path} refused the right credentials`);
      }
      const health = await fetch(`${base}/healthz`);
      await health.text();
      if (health.status !== 200) wrong.push(`${app.app} /healthz: HTTP ${health.status}`);
    }
    expect(wrong).toEqual([]);
    return { expected: surfaces.length, delivered: surfaces.length - wrong.length, lost: wrong.length, duplicated: 0, allowedDuplicates: 0, notes: "scheduler, worker and notifier: /metrics and /readyz; counted as lost: a surface that answered without the right credentials" };
  });
});
