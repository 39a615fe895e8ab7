import { execFile } from "node:child_process";
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { BUILTIN_DEFAULTS, parseDuration } from "@fleetwatch/core";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const UNITS = join(ROOT, "deploy/systemd");
const NAMES = ["fleetwatch-scheduler.service", "fleetwatch-worker@.service", "fleetwatch-notifier.service"];
const LONGEST_CHECK_MS = BUILTIN_DEFAULTS.ssh.connectTimeoutMs + BUILTIN_DEFAULTS.ssh.handshakeTimeoutMs + BUILTIN_DEFAULTS.ssh.commandTimeoutMs;

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "fw-units-"));
  for (const name of NAMES) copyFileSync(join(UNITS, name), join(dir, name));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Everything `systemd-analyze verify` prints: it exits 0 on unknown keys and bad values, so any line is a failure. */
async function verify(unit: string, cwd = dir): Promise<string> {
  const result = await run("systemd-analyze", ["verify", "--man=no", unit], { cwd, env: { ...process.env, SYSTEMD_UNIT_PATH: `${cwd}:` } }).catch(
    (error: { stdout: string; stderr: string; message: string }) => ({ stdout: error.stdout, stderr: `${error.stderr}${error.message}` }),
  );
  return `${result.stdout}${result.stderr}`.trim();
}

const directives = (name: string) =>
  new Map(
    readFileSync(join(UNITS, name), "utf8")
      .split("\n")
      .filter((line) => /^[A-Za-z]+=/.test(line))
      .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)] as const),
  );

describe("systemd units", () => {
  it("ships exactly the scheduler, the worker template and the notifier", () => {
    expect(readdirSync(UNITS).filter((f) => f.endsWith(".service")).sort()).toEqual([...NAMES].sort());
  });

  it.each([...NAMES, "fleetwatch-worker@1.service"])("systemd-analyze verify prints nothing for %s", async (unit) => {
    expect(await verify(unit)).toBe("");
  });

  it("would catch a unit systemd only warns about (the check itself works)", async () => {
    const bad = mkdtempSync(join(tmpdir(), "fw-units-bad-"));
    try {
      writeFileSync(join(bad, "bad.service"), "[Service]\nExecStart=/usr/bin/node -v\nRestartt=always\n");
      expect(await verify("bad.service", bad)).toMatch(/Unknown key 'Restartt'/);
    } finally {
      rmSync(bad, { recursive: true, force: true });
    }
  });

  it.each(NAMES)("%s is hardened, reloadable and stops calmly", (name) => {
    const unit = directives(name);
    expect(unit.get("User")).toBe("fleetwatch");
    expect(unit.get("EnvironmentFile")).toBe("/etc/fleetwatch/fleetwatch.env");
    for (const [key, value] of [["NoNewPrivileges", "yes"], ["ProtectSystem", "strict"], ["ProtectHome", "yes"], ["PrivateTmp", "yes"], ["ReadOnlyPaths", "/etc/fleetwatch"], ["Restart", "on-failure"]]) {
      expect(unit.get(key!), key).toBe(value);
    }
    expect(unit.get("ExecReload")).toBe("/bin/kill -HUP $MAINPID");
    expect(parseDuration(unit.get("TimeoutStopSec") ?? "0s")).toBeGreaterThan(LONGEST_CHECK_MS);
    const [node, script, ...args] = unit.get("ExecStart")!.split(" ");
    expect(node).toBe("/usr/bin/node");
    expect(script).toMatch(/^\/usr\/lib\/fleetwatch\//);
    expect(existsSync(join(ROOT, script!.replace("/usr/lib/fleetwatch/", ""))), `${script} is a file of the repository`).toBe(true);
    expect(args).toEqual(["--config", "/etc/fleetwatch/fleet.yaml"]);
  });

  it("derives the worker's HTTP port from its instance", () => {
    expect(directives("fleetwatch-worker@.service").get("Environment")).toBe("HTTP_PORT=941%i");
  });
});
