import { spawn, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LabHost } from "@fleetwatch/testkit";
import { hangingProbes, Lab, writeFleetFile } from "@fleetwatch/testkit";
import { eventually, Pipeline, sleep } from "./pipeline-harness.js";

const RUNNER = fileURLToPath(new URL("../apps/cli/dist/pipeline-runner.js", import.meta.url));
const CLI = fileURLToPath(new URL("../apps/cli/dist/bin.js", import.meta.url));

/** A process in its own group, as a shell runs a foreground job: Ctrl-C is a SIGINT to the group. */
class ForegroundJob {
  readonly child: ChildProcess;
  output = "";
  stdout = "";
  readonly exited: Promise<number | null>;
  constructor(args: string[], env: Record<string, string>) {
    this.child = spawn(process.execPath, args, { env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"], detached: true });
    this.child.stdout!.on("data", (chunk: Buffer) => {
      this.output += chunk.toString();
      this.stdout += chunk.toString();
    });
    this.child.stderr!.on("data", (chunk: Buffer) => (this.output += chunk.toString()));
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }
  ctrlC(): void {
    process.kill(-this.child.pid!, "SIGINT");
  }
  kill(): void {
    try {
      process.kill(-this.child.pid!, "SIGKILL");
    } catch {}
  }
  /** Waits for `check`; on a timeout the error carries what the job printed. */
  async until<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>, timeoutMs: number): Promise<T> {
    try {
      return await eventually(check, timeoutMs, what);
    } catch (error) {
      throw new Error(`${(error as Error).message}; the job printed:\n${this.output.slice(-4000)}`);
    }
  }
  count(text: string): number {
    return this.output.split(text).length - 1;
  }
}

const p = new Pipeline();
let hosts: { healthy: LabHost; hang: LabHost };
const jobs: ForegroundJob[] = [];
const runner = () => {
  const job = new ForegroundJob([RUNNER, "--config", p.config], { ...p.env(), HTTP_PORT: "0", LOG_LEVEL: "info" });
  jobs.push(job);
  return job;
};

beforeAll(async () => {
  await p.start();
  const [healthy] = await p.lab.startHosts();
  const [hang] = await p.lab.startHosts({ behaviour: "hang" });
  hosts = { healthy: healthy!, hang: hang! };
  const knownHosts = await p.lab.writeKnownHosts("known_hosts", [healthy!, hang!]);
  p.writeConfig(
    knownHosts,
    [
      { name: "web-1", host: hosts.healthy },
      { name: "stuck-1", host: hosts.hang },
    ],
    {},
    // All of the harness's defaults, in order (its overrides go last): a 2 s probe deadline, fire at once.
    ["  connectTimeout: 2s", "  handshakeTimeout: 3s", "  commandTimeout: 2s", "interval: 1s", "for: 1", "thresholds: { cpu: {}, load: {} }"],
  );
  // Every delivery fails until told otherwise: a notification is then queued and retried.
  p.standIn.outage(600_000);
});
afterAll(async () => {
  for (const job of jobs) job.kill();
  await p.stop();
});

describe("a calm stop", () => {
  it("stops the whole pipeline on one Ctrl-C to its process group: checks in flight finish, queued notifications stay in Redis, exit 0", async () => {
    const job = runner();
    await job.until("a delivery attempt (answered 502)", () => p.standIn.attempts.length > 0, 40_000);
    await job.until("a check of the hanging host in flight", () => hangingProbes(p.lab.id) > 0, 20_000);
    job.ctrlC();
    const code = await job.exited;
    expect(job.output).toMatch(/waiting for \d+ check\(s\) in flight to finish \(stuck-1.*; at most \d+ s, their deadlines\)/);
    expect(job.output).not.toContain("second signal");
    expect(job.count('"msg":"stopped"')).toBe(3);
    expect(code).toBe(0);
    expect(p.standIn.received).toEqual([]);
  });

  it("delivers after a restart the notification that was queued at the stop", async () => {
    p.standIn.outage(0);
    const job = runner();
    const delivered = await job.until("the queued message", () => p.standIn.received.find((m) => m.text.includes("stuck-1")), 40_000);
    expect(delivered.title).toContain("[FIRING]");
    job.ctrlC();
    const code = await job.exited;
    expect(code, job.output.slice(-3000)).toBe(0);
  });

  it("exits at once on a second Ctrl-C", async () => {
    // Probes of the runs before may still sleep on the host: count this run's on top of them.
    const before = hangingProbes(p.lab.id);
    const job = runner();
    await job.until("a check of the hanging host in flight", () => hangingProbes(p.lab.id) > before, 20_000);
    job.ctrlC();
    await job.until("the worker to wait for its check", () => job.output.includes("check(s) in flight to finish"), 10_000);
    await sleep(400); // a person's second press, not the same signal delivered twice
    job.ctrlC();
    const code = await job.exited;
    expect(job.output).toContain("second signal: exiting now");
    expect(code).not.toBe(0);
  });
});

describe("an interrupted fleetwatch check", () => {
  it("finishes the checks in flight, prints the table marked interrupted and exits 3", async () => {
    const lab = await Lab.create();
    try {
      const [hang] = await lab.startHosts({ behaviour: "hang" });
      const [healthy] = await lab.startHosts();
      const knownHosts = await lab.writeKnownHosts("known_hosts", [hang!, healthy!]);
      const fleet = writeFleetFile(lab, "fleet.yaml", knownHosts, [{ name: "stuck-1", host: hang! }, { name: "web-1", host: healthy! }], [
        "  connectTimeout: 2s",
        "  commandTimeout: 2s",
        "thresholds: { cpu: {}, load: {} }",
      ]);
      const job = new ForegroundJob([CLI, "check", "-c", fleet, "--concurrency", "1"], {});
      jobs.push(job);
      await eventually(() => hangingProbes(lab.id) > 0, 20_000, "the hanging check in flight");
      job.ctrlC();
      const code = await job.exited;
      expect(job.output).toContain("interrupted: finishing the checks in flight");
      expect(job.stdout).toMatch(/^stuck-1\s+CRITICAL.*probe_timeout/m);
      expect(job.stdout).not.toMatch(/^web-1/m);
      expect(job.stdout).toContain("INTERRUPTED: 1 of 2 host(s) checked, the rest not");
      expect(code).toBe(3);
    } finally {
      await lab.close();
    }
  });
});
