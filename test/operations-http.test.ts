import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppName, RedisHandle } from "@fleetwatch/testkit";
import { AppProcess, DingtalkStandIn, freePort, Lab, startRedis } from "@fleetwatch/testkit";
import { appEntry } from "@fleetwatch/testkit";
import { eventually } from "./pipeline-harness.js";

/** Distinctive values: if any shows up in a log, a job or an HTTP answer, it leaked. */
const secret = (what: string) => `${what}-${randomBytes(12).toString("hex")}`;
const SECRETS = {
  redisPassword: secret("redispw"),
  webhookToken: secret("token"),
  signingSecret: secret("SEC"),
  keyPassphrase: secret("keypass"),
  httpPassword: secret("httppw"),
};
const USER = "ops";
const basic = (password: string) => `Basic ${Buffer.from(`${USER}:${password}`).toString("base64")}`;

let redisHandle: RedisHandle;
let redis: Redis;
let lab: Lab;
const standIn = new DingtalkStandIn({ robots: { [SECRETS.webhookToken]: SECRETS.signingSecret } });
const apps = new Map<AppName, AppProcess>();
const urls = new Map<AppName, string>();
const extra: AppProcess[] = [];
/** Every HTTP answer seen, headers and body, for the leak scan. */
const answers: string[] = [];
let config: string;
let env: Record<string, string>;

async function get(url: string, password?: string): Promise<{ status: number; body: string; headers: Headers }> {
  const response = await fetch(url, { headers: password ? { authorization: basic(password) } : {} });
  const body = await response.text();
  answers.push(`${response.status} ${JSON.stringify([...response.headers])}\n${body}`);
  return { status: response.status, body, headers: response.headers };
}

beforeAll(async () => {
  redisHandle = await startRedis({ password: SECRETS.redisPassword, persistent: true });
  redis = new Redis(redisHandle.url, { maxRetriesPerRequest: null });
  redis.on("error", () => {}); // the test kills Redis on purpose
  await standIn.start();
  lab = await Lab.create();
  const key = await lab.clientKeyOf("ed25519", { passphrase: SECRETS.keyPassphrase });
  const hosts = await lab.startHosts({ count: 2 });
  const knownHosts = await lab.writeKnownHosts("known_hosts", hosts);
  config = join(lab.dir, "fleet.yaml");
  writeFileSync(
    config,
    [
      "defaults:",
      "  ssh: { user: " + lab.user.name + ", key: " + key.privatePath + ", passphrase: ${FW_KEY_PASS}, knownHosts: " + knownHosts + ", connectTimeout: 2s, commandTimeout: 3s }",
      "  interval: 1s",
      "  for: 1",
      "  thresholds: { cpu: {}, load: {} }",
      "hosts:",
      `  - { name: web-1, address: ${hosts[0]!.address}, port: ${hosts[0]!.port}, processes: [fwnotrunning] }`,
      `  - { name: web-2, address: ${hosts[1]!.address}, port: ${hosts[1]!.port} }`,
      "notify:",
      "  groupWait: 500ms",
      "  groupInterval: 1s",
      "  locale: en",
      "  dingtalk:",
      "    - name: ops",
      "      webhook: ${FW_TEST_WEBHOOK}",
      "      secret: ${FW_TEST_SECRET}",
      "",
    ].join("\n"),
  );
  env = {
    REDIS_URL: redisHandle.url,
    FW_TEST_WEBHOOK: standIn.url(SECRETS.webhookToken),
    FW_TEST_SECRET: SECRETS.signingSecret,
    FW_KEY_PASS: SECRETS.keyPassphrase,
    FLEETWATCH_HTTP_USER: USER,
    FLEETWATCH_HTTP_PASSWORD: SECRETS.httpPassword,
    LOG_LEVEL: "trace",
  };
  for (const app of ["scheduler", "worker", "notifier"] as const) {
    apps.set(app, new AppProcess(app, config, env, join(lab.dir, `${app}.log`)));
  }
  for (const [app, proc] of apps) urls.set(app, await proc.httpUrl());
});

afterAll(async () => {
  await Promise.all([...apps.values(), ...extra].map((a) => a.stop()));
  redis?.disconnect();
  await redisHandle?.stop();
  await standIn.stop();
  if (process.env.FW_KEEP_LAB) console.log("lab kept at", lab.dir);
  else await lab?.close();
});

describe("HTTP endpoints of the pipeline apps", () => {
  it("answers /healthz to anyone and everything else only with the login", async () => {
    for (const [app, url] of urls) {
      expect((await get(`${url}/healthz`)).status, app).toBe(200);
      for (const path of ["/readyz", "/metrics", "/nothing-here"]) {
        const anonymous = await get(`${url}${path}`);
        expect(anonymous.status, `${app} ${path}`).toBe(401);
        expect(anonymous.headers.get("www-authenticate")).toContain("Basic");
        expect((await get(`${url}${path}`, "wrong-password")).status).toBe(401);
      }
      const ready = await eventually(async () => {
        const r = await get(`${url}/readyz`, SECRETS.httpPassword);
        return r.status === 200 ? r : undefined;
      }, 20_000, `${app} ready`);
      expect(JSON.parse(ready.body)).toMatchObject({ ready: true });
    }
  });

  it("exports what each app does, without per-host labels, and the fleet-wide gauges from one process only", async () => {
    await eventually(() => standIn.received.length > 0, 30_000, "a delivered notification");
    const scrape = async (app: AppName) => (await get(`${urls.get(app)!}/metrics`, SECRETS.httpPassword)).body;
    const worker = await eventually(async () => {
      const text = await scrape("worker");
      return /fleetwatch_checks_total\{outcome="ok"\} [1-9]/.test(text) ? text : undefined;
    }, 20_000, "checks counted");
    expect(worker).toMatch(/fleetwatch_check_duration_seconds_bucket\{le="[\d.]+",outcome="ok"\}/);
    expect(worker).toMatch(/fleetwatch_last_successful_check_timestamp_seconds \d{10}/);
    expect(worker).toContain("process_cpu_user_seconds_total");
    const notifier = await eventually(async () => {
      const text = await scrape("notifier");
      return text.includes('fleetwatch_notifications_total{robot="ops",outcome="sent"}') ? text : undefined;
    }, 20_000, "a delivery counted");
    expect(notifier).toContain('fleetwatch_webhook_answers_total{errcode="0"}');
    expect(notifier).toMatch(/fleetwatch_last_dispatch_timestamp_seconds \d{10}/);
    expect(notifier).not.toContain("fleetwatch_checks_total");
    const scheduler = await scrape("scheduler");
    expect(scheduler).toMatch(/fleetwatch_scheduler_ticks_total\{result="ok"\} [1-9]/);
    expect(scheduler).toContain("fleetwatch_hosts 2");
    for (let round = 0; round < 2; round++) {
      const texts = await Promise.all((["scheduler", "worker", "notifier"] as const).map(scrape));
      const exporters = texts.filter((t) => t.includes("fleetwatch_queue_jobs{"));
      expect(exporters).toHaveLength(1);
      expect(exporters[0]).toMatch(/fleetwatch_queue_jobs\{queue="checks-\d\d",state="completed"\} \d+/);
      expect(exporters[0]).toContain('fleetwatch_notification_lane_messages{robot="ops"}');
      expect(exporters[0]).toContain('fleetwatch_notifications_parked{robot="ops"} 0');
      expect(exporters[0]).toContain('fleetwatch_robot_state{robot="ops",state="ok"} 1');
      expect(exporters[0]).toMatch(/fleetwatch_alerts\{status="firing",severity="critical"\} 1/);
      for (const text of texts) expect(text).not.toMatch(/[{,]host="|web-1|web-2/);
    }
  });

  it("says in /readyz why it is not ready: a key file this user cannot read", async () => {
    const broken = join(lab.dir, "broken.yaml");
    writeFileSync(broken, readFileSync(config, "utf8").replace(/key: \S+,/, `key: ${join(lab.dir, "no-such-key")},`));
    const worker = new AppProcess("worker", broken, env, join(lab.dir, "worker-broken.log"));
    extra.push(worker);
    const url = await worker.httpUrl();
    type Report = { ready: boolean; checks: { name: string; ok: boolean; problem?: string }[] };
    // Once its Redis connection is up, the only thing wrong is the key.
    const report = await eventually(async () => {
      const r = await get(`${url}/readyz`, SECRETS.httpPassword);
      const body = JSON.parse(r.body) as Report;
      return r.status === 503 && body.checks.find((c) => c.name === "redis")?.ok ? body : undefined;
    }, 20_000, "not ready, with Redis up");
    expect(report.checks.find((c) => c.name === "ssh-files")?.problem).toMatch(/cannot read key file .*no-such-key \(ENOENT\).*running as/);
    expect(report.checks.filter((c) => !c.ok).map((c) => c.name)).toEqual(["ssh-files"]);
    // Gone before the next tests: as a second worker it leases half the check shards.
    await worker.stop();
    extra.splice(extra.indexOf(worker), 1);
  });

  it("refuses to start exposed without a login or on a port taken, in one line with exit 2; prints --version and --help", async () => {
    const run = (file: string, args: string[], extraEnv: Record<string, string> = {}) =>
      new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
        const child = spawn(process.execPath, [file, ...args], { env: { ...process.env, ...env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
        let stdout = "";
        let stderr = "";
        child.stdout.on("data", (chunk: Buffer) => (stdout += chunk.toString()));
        child.stderr.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
        child.on("close", (code) => resolve({ code, stdout, stderr }));
      });
    const takenPort = new URL(urls.get("worker")!).port;
    const runner = fileURLToPath(new URL("../apps/cli/dist/pipeline-runner.js", import.meta.url));
    const [exposed, taken, help, version] = await Promise.all([
      run(appEntry("notifier"), ["--config", config], { HTTP_HOST: "0.0.0.0", FLEETWATCH_HTTP_USER: "", FLEETWATCH_HTTP_PASSWORD: "" }),
      run(appEntry("worker"), ["--config", config], { HTTP_PORT: takenPort, LOG_LEVEL: "error" }),
      run(runner, ["--help"]),
      run(appEntry("worker"), ["--version"]),
    ]);
    expect(exposed.code).toBe(2);
    expect(exposed.stderr.trim().split("\n")).toEqual([
      "fleetwatch-notifier: refusing to serve HTTP on 0.0.0.0 without a login: set FLEETWATCH_HTTP_USER and FLEETWATCH_HTTP_PASSWORD, or bind to loopback (HTTP_HOST=127.0.0.1), or turn HTTP off (HTTP_PORT=off)",
    ]);
    expect(taken.code).toBe(2);
    expect(taken.stderr).toContain(`HTTP port ${takenPort} on 127.0.0.1 is already in use`);
    expect(help).toMatchObject({ code: 0, stdout: expect.stringContaining("usage: fleetwatch-pipeline --config FILE") });
    expect(version).toMatchObject({ code: 0, stdout: expect.stringMatching(/^fleetwatch-worker \d+\.\d+\.\d+\n$/) });
  });

  it("carries on when Redis is killed and restarted on the same port", async () => {
    const checked = () => readFileSync(apps.get("worker")!.logFile, "utf8").split('"msg":"checked"').length;
    await redisHandle.kill();
    await eventually(async () => (await get(`${urls.get("worker")!}/readyz`, SECRETS.httpPassword)).status === 503, 20_000, "the worker to say Redis is gone");
    const before = checked();
    await redisHandle.restart();
    for (const [app, proc] of apps) {
      await eventually(() => readFileSync(proc.logFile, "utf8").includes("is reachable again"), 30_000, `${app} to reconnect`);
      await eventually(async () => (await get(`${urls.get(app)!}/readyz`, SECRETS.httpPassword)).status === 200, 20_000, `${app} ready again`);
    }
    await eventually(() => checked() > before + 2, 20_000, "checks after the restart");
    expect([...apps.values()].every((a) => a.child.exitCode === null)).toBe(true);
  });
});

describe("Redis unreachable at start", () => {
  // Generous: two apps start on a loaded 2-core machine before the counted window begins.
  it("says so in one plain line per retry, backing off, with no stack and no password, and comes up when Redis does", { timeout: 180_000 }, async () => {
    const port = await freePort();
    const url = `redis://:${SECRETS.redisPassword}@127.0.0.1:${port}`;
    // The worker and the notifier (with its robot's delivery worker): BullMQ's connections too.
    const waiting = (["worker", "notifier"] as const).map((app) => new AppProcess(app, config, { ...env, REDIS_URL: url, LOG_LEVEL: "info" }, join(lab.dir, `${app}-no-redis.log`)));
    extra.push(...waiting);
    const addresses = await Promise.all(waiting.map((w) => w.httpUrl()));
    await new Promise((r) => setTimeout(r, 6_000)); // the window over which lines are counted
    for (const proc of waiting) {
      const lines = readFileSync(proc.logFile, "utf8").trim().split("\n");
      const retries = lines.filter((l) => l.includes("cannot reach Redis"));
      // Backing off 1, 2, 4 s: 3 rounds in 6 s (a 4th if the machine is slow), whatever the number of connections.
      expect(retries.length, proc.app).toBeGreaterThanOrEqual(2);
      expect(retries.length, proc.app).toBeLessThanOrEqual(4);
      for (const line of lines) {
        expect(() => JSON.parse(line), line).not.toThrow();
        expect(line).not.toMatch(/\n\s+at |stack/);
      }
      // Nothing else complains meanwhile (BullMQ's workers and queues included).
      expect(lines.filter((l) => (JSON.parse(l) as { level: number }).level >= 40)).toEqual(retries);
      expect(JSON.parse(retries[0]!).msg).toBe(`cannot reach Redis at redis://127.0.0.1:${port}: connection refused (is Redis running and listening there?); retrying in 1 s`);
    }
    const late = await startRedis({ port, password: SECRETS.redisPassword });
    try {
      for (const [i, proc] of waiting.entries()) {
        await eventually(async () => (await get(`${addresses[i]!}/readyz`, SECRETS.httpPassword)).status === 200, 30_000, `${proc.app} to come up`);
        expect(readFileSync(proc.logFile, "utf8")).toContain(`Redis at redis://127.0.0.1:${port} is reachable again`);
      }
    } finally {
      await Promise.all(waiting.map((w) => w.stop()));
      await late.stop();
    }
  });
});

describe("secrets", () => {
  it("leaks no secret into any log line, job payload in Redis or HTTP answer", async () => {
    for (const proc of [...apps.values(), ...extra]) await proc.stop();
    const logs = [...apps.values(), ...extra].map((a) => readFileSync(a.logFile, "utf8")).join("\n");
    expect(logs).toMatch(/"host":"web-1","jobId":"[^"]+"/);
    expect(logs).toContain("notification delivered");
    const stored: string[] = [];
    let cursor = "0";
    do {
      const [next, keys] = await redis.scan(cursor, "COUNT", 1000);
      cursor = next;
      for (const key of keys) {
        const type = await redis.type(key);
        const value =
          type === "string" ? await redis.get(key)
          : type === "hash" ? await redis.hgetall(key)
          : type === "list" ? await redis.lrange(key, 0, -1)
          : type === "set" ? await redis.smembers(key)
          : type === "zset" ? await redis.zrange(key, 0, -1, "WITHSCORES")
          : type === "stream" ? await redis.xrange(key, "-", "+")
          : type;
        stored.push(`${key} ${JSON.stringify(value)}`);
      }
    } while (cursor !== "0");
    expect(stored.some((s) => /:checks-\d\d:/.test(s))).toBe(true);
    const everything = { logs, redis: stored.join("\n"), http: answers.join("\n") };
    for (const [what, value] of Object.entries(SECRETS)) {
      for (const [where, text] of Object.entries(everything)) expect(text.includes(value), `${what} in ${where}`).toBe(false);
    }
  });
});
