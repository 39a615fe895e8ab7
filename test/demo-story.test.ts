import { spawn, type ChildProcess } from "node:child_process";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { waitFor } from "@fleetwatch/testkit";

const DEMO = fileURLToPath(new URL("../packages/testkit/dist/demo.js", import.meta.url));

const runs: DemoRun[] = [];

/** `npm run demo -- --short` as a child, its output collected as it comes. */
class DemoRun {
  readonly child: ChildProcess;
  output = "";
  readonly exited: Promise<number | null>;

  constructor(args: string[], env: Record<string, string> = {}) {
    this.child = spawn(process.execPath, [DEMO, "--short", ...args], {
      env: { ...process.env, LANG: "C.UTF-8", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout!.setEncoding("utf8").on("data", (chunk: string) => (this.output += chunk));
    this.child.stderr!.setEncoding("utf8").on("data", (chunk: string) => (this.output += chunk));
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
    runs.push(this);
  }

  lines(): string[] {
    return this.output.split("\n");
  }

  /** Index of the first line matching `pattern` at or after `from`, or -1. */
  find(pattern: RegExp, from = 0): number {
    const at = this.lines().slice(from).findIndex((line) => pattern.test(line));
    return at < 0 ? -1 : at + from;
  }

  /** Waits for a line matching `pattern`; fails at once, with the output, if the demo exits first. */
  waitForLine(pattern: RegExp, timeoutMs = 50_000): Promise<number> {
    return waitFor(`a line matching ${pattern}`, () => {
      const at = this.find(pattern);
      if (at >= 0) return at + 1;
      if (this.child.exitCode !== null) throw new Error(`the demo exited (${this.child.exitCode}) before printing ${pattern}:\n${this.output}`);
      return undefined;
    }, timeoutMs).then((n) => n - 1);
  }

  /** Temporary paths the demo said it made (its fleet file, lab and Redis directories). */
  paths(): string[] {
    return [...new Set(this.output.match(/\/tmp\/fleetwatch-[A-Za-z0-9-]+/g) ?? [])];
  }

  redisPort(): number {
    return Number(/redis:\/\/127\.0\.0\.1:(\d+)/.exec(this.output)![1]);
  }
}

/** Processes whose command line names one of `needles`. */
function processesNaming(needles: string[]): string[] {
  const found: string[] = [];
  for (const pid of readdirSync("/proc").filter((d) => /^\d+$/.test(d))) {
    let cmdline = "";
    try {
      cmdline = readFileSync(`/proc/${pid}/cmdline`, "utf8").replace(/\0/g, " ");
    } catch {
      continue;
    }
    if (needles.some((n) => cmdline.includes(n))) found.push(`${pid}: ${cmdline}`);
  }
  return found;
}

const portRefuses = (port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });

/** Nothing the demo started runs, none of its paths exists, its Redis port is closed. */
async function expectNothingLeft(run: DemoRun, timeoutMs = 5_000): Promise<void> {
  const needles = [...run.paths(), `reaper.js --for ${run.child.pid}`];
  expect(run.paths().length).toBeGreaterThanOrEqual(2);
  await waitFor("the demo's processes and files to be gone", () => processesNaming(needles).length === 0 && !run.paths().some(existsSync), timeoutMs).catch(() => {
    throw new Error(`left behind:\n${processesNaming(needles).join("\n")}\n${run.paths().filter(existsSync).join("\n")}`);
  });
  expect(await portRefuses(run.redisPort())).toBe(true);
}

const MESSAGE = /📨 DingTalk #\d+/;

// A test that failed or timed out still stops its demo (Ctrl-C, which cleans up; then SIGKILL, which the reaper cleans up).
afterEach(async () => {
  for (const run of runs.splice(0)) {
    if (run.child.exitCode !== null || run.child.signalCode !== null) continue;
    run.child.kill("SIGINT");
    const timer = setTimeout(() => run.child.kill("SIGKILL"), 30_000);
    await run.exited;
    clearTimeout(timer);
  }
}, 60_000);

describe("npm run demo", () => {
  it("tells the story over real sshd: broken hosts, firing with a ring, RESOLVED, a muted failure, the check table; then leaves nothing", async () => {
    const run = new DemoRun([]);
    const code = await run.exited;
    const out = run.output;
    expect(code, out).toBe(0);
    expect(out).toContain("real OpenSSH sshd");

    // The messages, in the order the story tells them.
    const infra = run.find(/📨 DingTalk #1 \(rings 13800000000\): \[FIRING\] infra/);
    const stop = run.find(/Killed order-service, which app-1 requires/, infra);
    const firing = run.find(/📨 DingTalk #\d+ \(rings 13800000000\): \[FIRING\] shop 1 critical/, stop);
    const back = run.find(/Started order-service again/, firing);
    const resolved = run.find(/📨 DingTalk #\d+: \[RESOLVED\] shop 1 resolved/, back);
    const silence = run.find(/silence [0-9a-f]+ added: host app-1, check process:order-service/, resolved);
    const quiet = run.find(/Nothing arrived in \d+ s/, silence);
    const table = run.find(/^\s+legacy-1\s+CRITICAL .*hostkey_mismatch/, quiet);
    const end = run.find(/Stopped everything the demo started/, table);
    expect([infra, stop, firing, back, resolved, silence, quiet, table, end].every((i) => i >= 0), out).toBe(true);
    expect(run.lines()[firing + 3], out).toMatch(/app-1/);
    expect(run.lines()[firing + 4], out).toMatch(/process order-service: not running/);
    // Nothing reaches the robot once the silence is on.
    expect(run.find(MESSAGE, silence), out).toBe(-1);

    await expectNothingLeft(run);
  });

  it("runs the story with in-process SSH hosts (FLEETWATCH_DEMO_SSH=in-process), serves the dashboard behind its login, cleans up on Ctrl-C", async () => {
    const run = new DemoRun([], { FLEETWATCH_DEMO_SSH: "in-process" });
    try {
      await run.waitForLine(/📨 DingTalk #\d+ \(rings 13800000000\): \[FIRING\] shop 1 critical/);
      const [, url, user, password] = /Dashboard: (http:\/\/127\.0\.0\.1:\d+)\/ +user (\S+), password (\S+)/.exec(run.output)!;
      const page = await fetch(`${url}/`, { headers: { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}` } });
      expect(page.status).toBe(200);
      expect(await page.text()).toContain("app-1");
      expect((await fetch(`${url}/`)).status).toBe(401);
    } finally {
      run.child.kill("SIGINT");
    }
    expect(await run.exited).toBe(130);
    const out = run.output;
    expect(out).toMatch(/Not using OpenSSH sshd \(asked for with --in-process-ssh\)/);
    expect(out).toMatch(/SSH servers inside the demo process/);
    // The real probe ran on the in-process hosts: metrics, a missing process, a disk threshold.
    expect(out).toMatch(/Every host checked once: 2 ok \(web-1, app-1\)/);
    expect(out).toMatch(/cache-1 +critical \(process:image-resizer\)/);
    expect(out).toMatch(/db-1 +warning \(disk:/);
    expect(out).toMatch(/legacy-1 +hostkey_mismatch/);
    expect(out).toMatch(/batch-1 +auth_failed/);
    expect(out).toMatch(/SIGINT: stopping everything/);
    await expectNothingLeft(run);
  });

  it("leaves nothing behind when it is killed with SIGKILL: its reaper stops and removes what it started", async () => {
    const run = new DemoRun([]);
    try {
      await run.waitForLine(/━━ 1\. The pipeline checks every host/);
      // The pipeline, sshd, Redis and the story's process are all up now.
      expect(processesNaming(run.paths()).length).toBeGreaterThan(3);
    } finally {
      run.child.kill("SIGKILL");
    }
    await run.exited;
    await expectNothingLeft(run, 15_000);
  });
});
