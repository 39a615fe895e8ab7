import { randomBytes } from "node:crypto";
import { existsSync, readFileSync } from "node:fs";
import type { Job } from "bullmq";
import { Queue } from "bullmq";
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { CheckJob, ResolvedHost } from "@fleetwatch/core";
import { QUEUES, queueOptions, readMembership, redisNow } from "@fleetwatch/core";
import type { LabHost } from "@fleetwatch/testkit";
import { AppProcess, DingtalkStandIn, waitFor, writeFleetFile } from "@fleetwatch/testkit";
import { runCli } from "../cli-process.js";
import { Pipeline } from "../pipeline-harness.js";
import { scenario } from "./scenario.js";

/** Distinctive random secrets: a hit anywhere is a leak, never a coincidence. */
const hex = (n: number) => randomBytes(n).toString("hex");
const token = `tok${hex(12)}`;
const secret = `SEC${hex(16)}`;
const httpUser = "fw-ops";
const httpPassword = `pw${hex(12)}`;
const redisPassword = `rp${hex(12)}`;
const passphrase = `pp${hex(12)}`;
/** Secrets that are wrong, given on purpose: an error about them must not repeat them either. */
const wrongPassphrase = `wp${hex(12)}`;
const wrongRedisPassword = `wr${hex(12)}`;
const secrets = { token, secret, httpPassword, redisPassword, passphrase, wrongPassphrase, wrongRedisPassword };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;
const authorized = { authorization: basic(httpUser, httpPassword) };
/** A process name unique to this run (≤ 15 characters), so no other suite sees it missing. */
const missingProcess = `fwsec${hex(4)}`;

const p = new Pipeline();
p.standIn = new DingtalkStandIn({ robots: { [token]: secret } });
p.redisOptions = { password: redisPassword };
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
  // The honest host logs in with an encrypted key; a third host is given the wrong passphrase.
  const encrypted = await p.lab.clientKeyOf("ed25519", { passphrase });
  p.writeConfig(knownHosts, [
    { name: "changed-key", host: changed },
    // A process that is not running: the host fires, so a message is signed and sent.
    { name: "honest", host: honest, extra: `processes: [${missingProcess}], ssh: { key: ${encrypted.privatePath}, passphrase: "\${FW_TEST_PASSPHRASE}" }` },
    { name: "wrong-passphrase", host: honest, extra: `ssh: { key: ${encrypted.privatePath}, passphrase: "\${FW_TEST_WRONG_PASSPHRASE}" }` },
  ], { groupWait: "200ms", groupInterval: "500ms" });
  env = {
    FW_TEST_WEBHOOK: p.standIn.url(token),
    FW_TEST_SECRET: secret,
    FW_TEST_PASSPHRASE: passphrase,
    FW_TEST_WRONG_PASSPHRASE: wrongPassphrase,
    FLEETWATCH_HTTP_USER: httpUser,
    FLEETWATCH_HTTP_PASSWORD: httpPassword,
  };
  p.spawn("scheduler", env);
  p.spawn("worker", env);
  p.spawn("notifier", env);
  p.spawn("dashboard", env);
}, 180_000);
afterAll(async () => {
  await p.stop();
});

/** Every key of every type, with its value, as text. */
async function redisValues(): Promise<{ where: string; text: string }[]> {
  const places: { where: string; text: string }[] = [];
  for (const key of await p.allKeys()) {
    const type = await p.redis.type(key);
    const value =
      type === "string" ? await p.redis.get(key)
      : type === "hash" ? JSON.stringify(await p.redis.hgetall(key))
      : type === "list" ? JSON.stringify(await p.redis.lrange(key, 0, -1))
      : type === "zset" ? JSON.stringify(await p.redis.zrange(key, "0", "-1", "WITHSCORES"))
      : type === "set" ? JSON.stringify(await p.redis.smembers(key))
      : type === "stream" ? JSON.stringify(await p.redis.xrange(key, "-", "+"))
      : `(${type})`;
    places.push({ where: `redis ${key}`, text: `${key} ${value ?? ""}` });
  }
  return places;
}

/** Dashboard pages and API, and Bull Board's pages and API for every queue and job status. */
async function dashboardTexts(): Promise<{ where: string; text: string }[]> {
  const dashboard = p.apps.find((a) => a.app === "dashboard")!;
  const base = await dashboard.httpUrl(60_000);
  const get = async (path: string) => ({ where: `dashboard ${path}`, text: await (await fetch(`${base}${path}`, { headers: authorized })).text() });
  const places = await Promise.all(
    ["/", "/alerts", "/hosts/honest", "/hosts/changed-key", "/hosts/wrong-passphrase", "/api/hosts", "/api/hosts/honest", "/api/hosts/wrong-passphrase", "/api/alerts", "/api/silences", "/queues", "/queues/api/queues", "/queues/api/redis/stats"].map(get),
  );
  const board = JSON.parse(places.find((x) => x.where.endsWith("/queues/api/queues"))!.text) as { queues: { name: string; statuses?: string[] }[] };
  for (const queue of board.queues) {
    const name = encodeURIComponent(queue.name);
    for (const status of ["latest", "completed", "failed", "waiting", "active", "delayed"]) {
      places.push(await get(`/queues/api/queues?activeQueue=${name}&status=${status}&page=1&jobsPerPage=100`));
    }
    places.push(await get(`/queues/api/queues/${name}/workers`));
    places.push(await get(`/queues/api/queues/${name}/job-data-schema`));
  }
  return places;
}

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

  scenario(import.meta.url, "security", "distinctive secrets (webhook token, signing secret, key passphrase, Redis password, HTTP password) appear in no log, Redis value, Bull Board, /metrics, page, status output or error message", { timeoutMs: 240_000 }, async () => {
    await waitFor("a signed message delivered", () => p.standIn.received.some((m) => m.text.includes("honest")), 90_000);
    await waitFor("the honest host checked with its encrypted key", async () => (await p.latest("honest"))?.outcome === "ok", 60_000);
    const wrong = await waitFor("the wrong passphrase judged", async () => {
      const latest = await p.latest("wrong-passphrase");
      return latest?.outcome === "auth_failed" ? latest : undefined;
    }, 60_000);
    expect(wrong.reason, "the error says what is wrong").toContain("passphrase is wrong");
    const places: { where: string; text: string }[] = [];
    places.push({ where: "fleet file", text: readFileSync(p.config, "utf8") });
    places.push(...(await redisValues()));
    for (const app of p.apps) {
      const base = await app.httpUrl(60_000);
      for (const path of ["/metrics", "/readyz", "/healthz"]) {
        const response = await fetch(`${base}${path}`, { headers: authorized });
        places.push({ where: `${app.app} ${path}`, text: await response.text() });
      }
    }
    places.push(...(await dashboardTexts()));
    const status = await runCli(["status", "--json"], { ...p.env(), ...env });
    places.push({ where: "fleetwatch status --json", text: status.stdout + status.stderr });
    const statusText = await runCli(["status"], { ...p.env(), ...env });
    places.push({ where: "fleetwatch status", text: statusText.stdout + statusText.stderr });
    const check = await runCli(["check", "-c", p.config, "--host", "wrong-passphrase"], { ...p.env(), ...env });
    expect(check.stdout + check.stderr, "the CLI says the passphrase is wrong").toContain("passphrase is wrong");
    places.push({ where: "fleetwatch check (a wrong passphrase)", text: check.stdout + check.stderr });
    // A wrong Redis password, given to the CLI and to an app: the error says so, and repeats no password.
    const badUrl = p.redisHandle.url.replace(encodeURIComponent(redisPassword), encodeURIComponent(wrongRedisPassword));
    const badStatus = await runCli(["status"], { ...p.env(), ...env, REDIS_URL: badUrl });
    expect(badStatus.code, "status with a wrong Redis password fails").not.toBe(0);
    expect(badStatus.stdout + badStatus.stderr, badStatus.stderr).toMatch(/WRONGPASS|password/i);
    places.push({ where: "fleetwatch status (a wrong Redis password)", text: badStatus.stdout + badStatus.stderr });
    const badApp = new AppProcess("scheduler", p.config, { ...p.env(), ...env, REDIS_URL: badUrl }, `${p.lab.dir}/scheduler-wrong-redis-password.log`);
    try {
      await waitFor("the scheduler to report the wrong Redis password", () => existsSync(badApp.logFile) && /WRONGPASS|password/i.test(readFileSync(badApp.logFile, "utf8")), 60_000);
    } finally {
      await badApp.stop();
    }
    places.push({ where: "scheduler log (a wrong Redis password)", text: readFileSync(badApp.logFile, "utf8") });
    // Last, so they hold everything the run logged.
    for (const app of p.apps) places.push({ where: `log of ${app.app} (${app.logFile.split("/").pop()})`, text: readFileSync(app.logFile, "utf8") });
    // The search saw what it is meant to: check jobs (with the passphrase's reference) in Redis and in Bull Board.
    expect(places.some((x) => x.where.startsWith("redis ") && x.text.includes("FW_TEST_PASSPHRASE")), "check job data in Redis").toBe(true);
    expect(places.some((x) => x.where.includes("/queues/api/queues?activeQueue=") && x.text.includes("FW_TEST_PASSPHRASE")), "check job data in Bull Board").toBe(true);
    const leaks = places.flatMap((place) => Object.entries(secrets).filter(([, value]) => place.text.includes(value)).map(([name]) => `${name} in ${place.where}`));
    expect(leaks).toEqual([]);
    return { expected: places.length, delivered: places.length - new Set(leaks.map((l) => l.split(" in ")[1])).size, lost: leaks.length, duplicated: 0, allowedDuplicates: 0, notes: `${Object.keys(secrets).length} secrets (2 of them wrong on purpose) searched in ${places.length} places: app logs, every Redis key of every type incl. job data, /metrics /readyz /healthz of each app, dashboard pages and API, Bull Board pages and API (every queue and status), status output, error messages for a wrong passphrase and a wrong Redis password; leaks: ${leaks.length}` };
  });

  scenario(import.meta.url, "security", "every HTTP surface answers 401 without credentials or with a wrong password (only /healthz is open), dashboard, Bull Board and its assets included", { timeoutMs: 120_000 }, async () => {
    const surfaces: string[] = [];
    const wrong: string[] = [];
    for (const app of p.apps) {
      const base = await app.httpUrl(60_000);
      const paths = ["/metrics", "/readyz"];
      if (app.app === "dashboard") {
        const board = await (await fetch(`${base}/queues`, { headers: authorized })).text();
        const linked = /(?:src|href)="(?:\/queues\/)?(static\/[^"]+)"/.exec(board)?.[1];
        const asset = linked && `/queues/${linked}`;
        expect(asset, "Bull Board's page links its assets").toBeDefined();
        paths.push("/", "/alerts", "/hosts/honest", "/api/hosts", "/api/alerts", "/api/silences", "/queues", "/queues/", "/queues/api/queues", "/queues/api/redis/stats", asset!);
      }
      const requests: [string, string, RequestInit][] = paths.map((path) => ["GET", path, {}]);
      if (app.app === "dashboard") {
        const form = { method: "POST", headers: { "content-type": "application/x-www-form-urlencoded", origin: base }, body: "host=honest&duration=1h&reason=x" };
        requests.push(["POST", "/alerts/silences", form], ["POST", "/api/silences", { ...form, headers: { "content-type": "application/json", origin: base }, body: JSON.stringify({ host: "honest", duration: "1h", reason: "x" }) }]);
        requests.push(["PUT", `/queues/api/queues/${QUEUES.checks}/retry/failed`, { method: "PUT", headers: { origin: base } }]);
      }
      for (const [method, path, init] of requests) {
        for (const [how, headers] of [["no credentials", {}], ["a wrong password", { authorization: basic(httpUser, "wrong") }], ["a wrong user", { authorization: basic("nobody", httpPassword) }]] as const) {
          surfaces.push(`${app.app} ${method} ${path} with ${how}`);
          const response = await fetch(`${base}${path}`, { ...init, headers: { ...(init.headers as Record<string, string> | undefined), ...headers } });
          await response.text();
          if (response.status !== 401 || !response.headers.get("www-authenticate")) wrong.push(`${app.app} ${method} ${path} with ${how}: HTTP ${response.status}`);
        }
        if (method !== "GET") continue;
        const allowed = await fetch(`${base}${path}`, { headers: authorized });
        await allowed.text();
        if (allowed.status === 401) wrong.push(`${app.app} ${path} refused the right credentials`);
      }
      const health = await fetch(`${base}/healthz`);
      await health.text();
      if (health.status !== 200) wrong.push(`${app.app} /healthz: HTTP ${health.status}`);
    }
    expect(wrong).toEqual([]);
    return { expected: surfaces.length, delivered: surfaces.length - wrong.length, lost: wrong.length, duplicated: 0, allowedDuplicates: 0, notes: "scheduler, worker, notifier: /metrics and /readyz; dashboard: its pages, API, writes, Bull Board's page, API, an action and a static asset; each without credentials, with a wrong password and a wrong user. Counted as lost: a surface that answered without the right credentials" };
  });

  scenario(import.meta.url, "security", "process names with shell metacharacters in the fleet file are refused with the field path; no shell on the host sees them", { timeoutMs: 120_000 }, async () => {
    const marker = `/tmp/fleetwatch-pwned-${hex(6)}`;
    const names = ["x; rm -rf /", `$(touch ${marker})`, `\`touch ${marker}\``, `a|touch ${marker}`, `a&&touch ${marker}`];
    const knownHosts = await p.lab.writeKnownHosts("known_hosts_names", [honest]);
    const config = writeFleetFile(p.lab, "metachar-names.yaml", knownHosts, [
      { name: "names", host: honest, extra: `processes: [${names.map((n) => JSON.stringify(n)).join(", ")}]` },
    ]);
    const before = p.lab.commandLog(honest.address);
    const refusedBy: string[] = [];
    const check = await runCli(["check", "-c", config], { ...p.env(), ...env });
    const validate = await runCli(["config", "validate", config], { ...p.env(), ...env });
    for (const [what, run] of [["fleetwatch check", check], ["fleetwatch config validate", validate]] as const) {
      expect(run.code, `${what} refuses the file`).not.toBe(0);
      for (let i = 0; i < names.length; i++) expect(run.stderr, `${what} names the field`).toContain(`hosts[0].processes[${i}]`);
      refusedBy.push(what);
    }
    const worker = new AppProcess("worker", config, { ...p.env(), ...env }, `${p.lab.dir}/worker-metachar-names.log`);
    const code = await Promise.race([worker.exited, new Promise<"running">((r) => setTimeout(() => r("running"), 30_000))]);
    if (code === "running") await worker.stop();
    expect(code, "a worker given the file refuses to start").not.toBe("running");
    expect(readFileSync(worker.logFile, "utf8"), "the worker says which field").toContain("hosts[0].processes[0]");
    refusedBy.push("worker");
    const log = p.lab.commandLog(honest.address).slice(before.length);
    expect(existsSync(marker), "a command in a process name ran").toBe(false);
    expect(log).not.toContain("touch");
    expect(log).not.toContain("rm -rf");
    return { expected: refusedBy.length, delivered: refusedBy.length, lost: existsSync(marker) ? 1 : 0, duplicated: 0, allowedDuplicates: 0, notes: `${names.length} names (; $( ) backticks | &&) refused with their field path by ${refusedBy.join(", ")}; no marker file, nothing in the host's command log` };
  });
});
