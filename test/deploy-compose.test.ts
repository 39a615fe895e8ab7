import { execFile } from "node:child_process";
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { BUILTIN_DEFAULTS, parseDuration } from "@fleetwatch/core";
import type { RedisHandle } from "@fleetwatch/testkit";
import { freePort, generateKey, startRedis } from "@fleetwatch/testkit";
import { basicAuth, expectHttpSurface, Service, waitHealthy } from "./deploy-helpers.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const APPS = ["scheduler", "worker", "notifier"] as const;
const SERVED = [...APPS, "dashboard"] as const;
const LONGEST_CHECK_MS = BUILTIN_DEFAULTS.ssh.connectTimeoutMs + BUILTIN_DEFAULTS.ssh.handshakeTimeoutMs + BUILTIN_DEFAULTS.ssh.commandTimeoutMs;

interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string | number | null>;
  volumes?: string[];
  ports?: unknown;
  container_name?: string;
  user?: string;
  init?: boolean;
  read_only?: boolean;
  restart?: string;
  stop_grace_period?: string;
  depends_on?: Record<string, { condition: string }>;
  healthcheck?: { test: string[] };
  logging?: { driver: string; options?: Record<string, string> };
}

const envFile = Object.fromEntries(
  readFileSync(join(ROOT, ".env.example"), "utf8")
    .split("\n")
    .filter((line) => /^[A-Z_]+=/.test(line))
    .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
);

let services: Record<string, ComposeService>;
let volumes: Record<string, unknown>;

beforeAll(async () => {
  // Debian's docker-compose 1.29 validates the file offline and rejects keys it does not know.
  const { stdout } = await run("docker-compose", ["--env-file", ".env.example", "config"], { cwd: ROOT, env: { ...process.env, COMPOSE_PROJECT_NAME: "fleetwatch" } });
  const config = parse(stdout) as { services: Record<string, ComposeService>; volumes?: Record<string, unknown> };
  services = config.services;
  volumes = config.volumes ?? {};
});

describe("docker-compose.yml, as docker-compose config resolves it", () => {
  it("refuses to render without the credentials .env must supply", async () => {
    const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith("FLEETWATCH_") && !k.startsWith("DINGTALK_")));
    const empty = mkdtempSync(join(tmpdir(), "fw-env-"));
    writeFileSync(join(empty, ".env"), "");
    const failed = await run("docker-compose", ["--env-file", join(empty, ".env"), "config"], { cwd: ROOT, env })
      .then(
        () => "",
        (error: { stderr: string }) => error.stderr,
      )
      .finally(() => rmSync(empty, { recursive: true, force: true }));
    expect(failed).toMatch(/set FLEETWATCH_HTTP_USER in \.env|set FLEETWATCH_HTTP_PASSWORD in \.env|set DINGTALK_WEBHOOK in \.env/);
  });

  it("runs Redis 7 append-only, without eviction, on a named volume, not published", () => {
    const redis = services.redis!;
    expect(redis.image).toMatch(/^redis:7\.\d+\.\d+/);
    expect(redis.command?.join(" ")).toMatch(/--appendonly yes/);
    expect(redis.command?.join(" ")).toMatch(/--maxmemory-policy noeviction/);
    const volume = redis.volumes?.[0]?.split(":")[0];
    expect(Object.keys(volumes)).toContain(volume);
    expect(redis.ports).toBeUndefined();
    expect(redis.healthcheck?.test).toBeDefined();
  });

  it("publishes the dashboard on the host's loopback only, and nothing else", () => {
    for (const app of APPS) expect(services[app]!.ports).toBeUndefined();
    const ports = services.dashboard!.ports as ({ host_ip?: string; published?: string | number; target?: number } | string)[];
    expect(ports).toHaveLength(1);
    const port = ports[0]!;
    if (typeof port === "string") expect(port).toMatch(/^127\.0\.0\.1:\d+:8080(\/tcp)?$/);
    else expect([port.host_ip, Number(port.target)]).toEqual(["127.0.0.1", 8080]);
  });

  it.each(SERVED)("runs the %s calmly, non-root, read-only, after a healthy Redis, with its own health check", (app) => {
    const s = services[app]!;
    expect(s.container_name).toBeUndefined();
    expect(s.init).toBe(true);
    expect(s.read_only).toBe(true);
    expect(s.user).toMatch(/^[1-9]\d*:\d+$/);
    expect(s.restart).toMatch(/always|unless-stopped|on-failure/);
    expect(s.depends_on?.redis?.condition).toBe("service_healthy");
    expect(s.logging?.options?.["max-size"]).toBeDefined();
    expect(parseDuration(s.stop_grace_period ?? "0s")).toBeGreaterThan(LONGEST_CHECK_MS);
    expect(s.healthcheck?.test.join(" ")).not.toMatch(/curl|wget/);
    for (const volume of s.volumes ?? []) expect(volume, "mounted read-only").toMatch(/:ro$/);
    expect(String(s.environment?.HTTP_HOST)).toBe("0.0.0.0");
    expect(s.environment?.FLEETWATCH_HTTP_USER).toBe(envFile.FLEETWATCH_HTTP_USER);
  });

  describe("each service started from that output outside containers", () => {
    let dir: string;
    let redis: RedisHandle;
    const started: Service[] = [];
    /** The stated mapping: the compose network's Redis and the container's mount targets, to this machine's. */
    let mapping: [string, string][];
    const mapped = (value: string) => mapping.reduce((text, [from, to]) => text.split(from).join(to), value);

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "fw-compose-"));
      chmodSync(dir, 0o755);
      redis = await startRedis();
      const fleet = join(dir, "fleet.yaml");
      await generateKey(join(dir, "id_ed25519"), "ed25519");
      writeFileSync(join(dir, "known_hosts"), "");
      mapping = [
        ["redis://redis:6379", redis.url],
        ["/etc/fleetwatch/fleet.yaml", fleet],
        ["/etc/fleetwatch/id_ed25519", join(dir, "id_ed25519")],
        ["/etc/fleetwatch/known_hosts", join(dir, "known_hosts")],
      ];
      // The mounted fleet file names the other mounts by their paths in the container.
      const text = "defaults: { ssh: { key: /etc/fleetwatch/id_ed25519, knownHosts: /etc/fleetwatch/known_hosts } }\n" +
        "hosts: [{ name: nowhere, address: 127.0.0.1, port: 1 }]\nnotify: { dingtalk: [{ name: ops, webhook: '${DINGTALK_WEBHOOK}' }] }\n";
      writeFileSync(fleet, mapped(text));
    });

    afterAll(async () => {
      await Promise.all(started.map((s) => s.stop()));
      await redis?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it.each(SERVED)("%s answers /healthz, /readyz and /metrics, and its compose health check passes", { timeout: 150_000 }, async (app) => {
      const s = services[app]!;
      // Each container has its own network namespace; on one machine the three share one, so
      // the HTTP port moves to a free one (the machine is shared with other tests).
      const port = await freePort();
      const env: NodeJS.ProcessEnv = {
        PATH: `${join(ROOT, "node_modules/.bin")}:${dirname(process.execPath)}:/usr/bin:/bin`,
        ...Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, mapped(String(v ?? ""))])),
        HTTP_PORT: String(port),
      };
      const command = s.command!.map(mapped);
      const service = new Service(app, command, { env, cwd: ROOT, logFile: join(dir, `${app}.log`) });
      started.push(service);
      const base = `http://127.0.0.1:${port}`;
      await waitHealthy(service, base);
      await expectHttpSurface(base, basicAuth(envFile.FLEETWATCH_HTTP_USER!, envFile.FLEETWATCH_HTTP_PASSWORD!), expect);
      const [kind, ...healthcheck] = s.healthcheck!.test;
      expect(kind).toBe("CMD");
      await run(healthcheck[0]!, healthcheck.slice(1), { env });
      expect(await service.stop()).toBe(0);
    });
  });
});
