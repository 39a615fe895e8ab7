import { execFile } from "node:child_process";
import { chmodSync, chownSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisHandle } from "@fleetwatch/testkit";
import { freePort, generateKey, startRedis } from "@fleetwatch/testkit";
import { basicAuth, expectHttpSurface, Service, UNPRIVILEGED, waitHealthy } from "./deploy-helpers.js";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const dockerfile = readFileSync(join(ROOT, "Dockerfile"), "utf8");

/** Instructions with their continuation lines joined, per stage. */
function stages(): { from: string; instructions: [string, string][] }[] {
  const lines = dockerfile.replace(/\\\n/g, " ").split("\n").map((l) => l.trim()).filter((l) => l && !l.startsWith("#"));
  const out: { from: string; instructions: [string, string][] }[] = [];
  for (const line of lines) {
    const [keyword, ...rest] = line.split(/\s+/);
    const args = rest.join(" ");
    if (keyword === "FROM") out.push({ from: args, instructions: [] });
    else out[out.length - 1]?.instructions.push([keyword!, args]);
  }
  return out;
}

describe("Dockerfile", () => {
  const all = stages();
  const runtime = all[all.length - 1]!;
  const args = (keyword: string) => runtime.instructions.filter(([k]) => k === keyword).map(([, a]) => a);

  it("builds in stages from a pinned official Node 20 image", () => {
    expect(all.length).toBeGreaterThanOrEqual(2);
    for (const stage of all) expect(stage.from).toMatch(/^node:20\.\d+\.\d+(-[a-z0-9-]+)?(@sha256:[0-9a-f]{64})?( AS \w+)?$/);
  });

  it("installs production dependencies only, runs as a numeric non-root user, behind an init, in exec form", () => {
    expect(args("RUN").some((a) => /npm ci --omit=dev/.test(a))).toBe(true);
    const [user] = args("USER");
    expect(user).toMatch(/^[1-9]\d*(:\d+)?$/);
    const entrypoint = JSON.parse(args("ENTRYPOINT")[0]!) as string[];
    expect(entrypoint[0]).toMatch(/\/(tini|dumb-init)$/);
    expect(() => JSON.parse(args("CMD")[0]!)).not.toThrow();
  });

  describe("the runtime stage, rehearsed without Docker", () => {
    let dir: string;
    let redis: RedisHandle;
    const services: Service[] = [];
    const user = "prometheus";
    const password = "rehearsal-password";

    beforeAll(async () => {
      dir = mkdtempSync(join(tmpdir(), "fw-image-"));
      chmodSync(dir, 0o755);
      // What the build stage copies into /out, copied here from this (built) checkout.
      const copies = all[0]!.instructions.flatMap(([k, a]) => (k === "RUN" ? a.split("&&").map((c) => c.trim()) : [])).filter((c) => c.startsWith("cp ") && c.endsWith("/out/"));
      expect(copies.length).toBeGreaterThan(0);
      for (const copy of copies) await run("sh", ["-c", copy.replace(/\/out\/$/, `'${dir}/'`)], { cwd: ROOT });
      const install = args("RUN").flatMap((a) => a.split("&&").map((c) => c.trim())).find((c) => c.startsWith("npm ci"))!;
      await run("sh", ["-c", `${install} --prefer-offline`], { cwd: dir, timeout: 180_000 });
      redis = await startRedis();
      // The key belongs to the user the apps run as, as docs/operations.md tells operators.
      const key = await generateKey(join(dir, "id_ed25519"), "ed25519");
      if (UNPRIVILEGED.uid !== undefined) chownSync(key.privatePath, UNPRIVILEGED.uid, UNPRIVILEGED.gid);
      writeFileSync(join(dir, "known_hosts"), "");
      writeFileSync(
        join(dir, "fleet.yaml"),
        `defaults: { ssh: { key: ${key.privatePath}, knownHosts: ${dir}/known_hosts } }\n` +
          "hosts: [{ name: nowhere, address: 127.0.0.1, port: 1 }]\nnotify: { dingtalk: [{ name: ops, webhook: '${DINGTALK_WEBHOOK}' }] }\n",
      );
    }, 240_000);

    afterAll(async () => {
      await Promise.all(services.map((s) => s.stop()));
      await redis?.stop();
      if (dir) rmSync(dir, { recursive: true, force: true });
    });

    it("prints the CLI's version from the installed image", async () => {
      const { stdout } = await run(join(dir, "node_modules/.bin/fleetwatch"), ["--version"], { env: { ...process.env, PATH: `${dirname(process.execPath)}:/usr/bin:/bin` } });
      expect(stdout).toMatch(/^fleetwatch \d/);
    });

    it.each(["scheduler", "worker", "notifier"])("starts the %s as an unprivileged user against Redis and serves its HTTP surface", { timeout: 150_000 }, async (app) => {
      const port = await freePort();
      const service = new Service(app, [`fleetwatch-${app}`, "--config", join(dir, "fleet.yaml")], {
        cwd: dir,
        logFile: join(dir, `${app}.log`),
        ...UNPRIVILEGED,
        env: {
          PATH: `${join(dir, "node_modules/.bin")}:${dirname(process.execPath)}:/usr/bin:/bin`,
          NODE_ENV: "production",
          REDIS_URL: redis.url,
          HTTP_HOST: "127.0.0.1",
          HTTP_PORT: String(port),
          FLEETWATCH_HTTP_USER: user,
          FLEETWATCH_HTTP_PASSWORD: password,
          DINGTALK_WEBHOOK: "http://127.0.0.1:1/robot/send?access_token=rehearsal",
        },
      });
      services.push(service);
      const base = `http://127.0.0.1:${port}`;
      await waitHealthy(service, base);
      await expectHttpSurface(base, basicAuth(user, password), expect);
      expect(await service.stop()).toBe(0);
    });
  });
});
