import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { CheckHostOptions, CpuBaseline, ResolvedHost } from "@fleetwatch/core";
import { checkHost, decodeCpuBaseline, encodeCpuBaseline, parseFleetConfig, PROBE_SCRIPT, probeArguments, probeCommand, SshConnectionPool } from "@fleetwatch/core";

/**
 * One measured sweep of the lab, in a process of its own so its CPU (and its children's)
 * lands in the benchmark's monitor cgroup. Driven over IPC by lab-sweep.ts: `prepare`
 * (warm connections for the reuse modes), then `go` (the measured sweep). The pipeline mode
 * runs the worker's probe (CPU counters, no pause) over kept connections, each check
 * measuring CPU from the counters the previous one left (kept here in memory, stored as a
 * worker stores them).
 */
export type SweepMode = "openssh-fresh" | "openssh-controlmaster" | "fleetwatch-fresh" | "fleetwatch-reused" | "fleetwatch-pipeline";

export interface RunnerSetup {
  mode: SweepMode;
  hosts: { address: string; port: number }[];
  user: string;
  keyPath: string;
  knownHosts: string;
  concurrency: number;
  dir: string;
}

export interface SweepOutcome {
  wallMs: number;
  ok: number;
  total: number;
}

const COMMAND = probeCommand(probeArguments("auto", []));

async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) await work(items[next++]!);
    }),
  );
}

function resolvedHosts(setup: RunnerSetup): ResolvedHost[] {
  const yaml = [
    "defaults:",
    `  ssh: { user: ${setup.user}, key: ${setup.keyPath}, knownHosts: ${setup.knownHosts}, connectTimeout: 10s, handshakeTimeout: 20s, commandTimeout: 20s }`,
    "hosts:",
    ...setup.hosts.map((h, i) => `  - { name: lab-${i}, address: ${h.address}, port: ${h.port} }`),
  ].join("\n");
  const loaded = parseFleetConfig(yaml, "bench.yaml");
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return loaded.value.hosts;
}

/** OpenSSH through `xargs -P`, as an operator's script would run it. */
function opensshSweep(setup: RunnerSetup, master: boolean): Promise<SweepOutcome> {
  const list = join(setup.dir, "hosts.txt");
  const probe = join(setup.dir, "probe.sh");
  writeFileSync(list, setup.hosts.map((h) => `${h.address} ${h.port}`).join("\n") + "\n");
  writeFileSync(probe, PROBE_SCRIPT);
  const options = [
    "-F /dev/null -o BatchMode=yes -o StrictHostKeyChecking=yes -o GlobalKnownHostsFile=/dev/null",
    `-o UserKnownHostsFile=${setup.knownHosts} -i ${setup.keyPath} -l ${setup.user} -o KexAlgorithms=curve25519-sha256`,
    master ? `-o ControlMaster=auto -o ControlPath=${setup.dir}/cm-%C -o ControlPersist=600` : "-o ControlMaster=no",
  ].join(" ");
  const script = `xargs -P ${setup.concurrency} -L 1 sh -c 'ssh ${options} -p "$1" "$0" "${COMMAND}" < ${probe} > /dev/null 2>&1 && echo ok' < ${list}`;
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn("sh", ["-c", script], { stdio: ["ignore", "pipe", "inherit"] });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.on("close", () => resolve({ wallMs: performance.now() - started, ok: out.split("\n").filter((l) => l === "ok").length, total: setup.hosts.length }));
  });
}

/** The counters each host's last pipeline check left, as a worker stores them. */
const baselines = new Map<string, string>();

async function fleetwatchSweep(hosts: ResolvedHost[], concurrency: number, pool: SshConnectionPool | undefined, pipeline = false): Promise<SweepOutcome> {
  const started = performance.now();
  let ok = 0;
  await eachLimited(hosts, concurrency, async (host) => {
    const options: CheckHostOptions = pool ? { pool } : {};
    if (pipeline) options.previousCpu = Promise.resolve<CpuBaseline | undefined>(decodeCpuBaseline(baselines.get(host.name)));
    const result = await checkHost(host, options);
    if (result.outcome === "ok") ok += 1;
    const counters = pipeline ? encodeCpuBaseline(result.metrics) : undefined;
    if (counters) baselines.set(host.name, counters);
  });
  return { wallMs: performance.now() - started, ok, total: hosts.length };
}

let setup: RunnerSetup | undefined;
let hosts: ResolvedHost[] = [];
let pool: SshConnectionPool | undefined;

async function prepare(): Promise<void> {
  if (!setup) throw new Error("bug: prepare before setup");
  if (setup.mode.startsWith("fleetwatch-")) hosts = resolvedHosts(setup);
  if (setup.mode === "fleetwatch-reused" || setup.mode === "fleetwatch-pipeline") {
    pool = new SshConnectionPool({ idleTimeoutMs: 3_600_000 });
    await fleetwatchSweep(hosts, setup.concurrency, pool, setup.mode === "fleetwatch-pipeline");
  }
  if (setup.mode === "openssh-controlmaster") await opensshSweep(setup, true);
}

async function go(): Promise<SweepOutcome> {
  if (!setup) throw new Error("bug: go before setup");
  switch (setup.mode) {
    case "openssh-fresh":
      return opensshSweep(setup, false);
    case "openssh-controlmaster":
      return opensshSweep(setup, true);
    case "fleetwatch-fresh":
      return fleetwatchSweep(hosts, setup.concurrency, undefined);
    case "fleetwatch-reused":
      return fleetwatchSweep(hosts, setup.concurrency, pool);
    case "fleetwatch-pipeline":
      return fleetwatchSweep(hosts, setup.concurrency, pool, true);
  }
}

process.on("message", (message: { type: "setup"; setup: RunnerSetup } | { type: "prepare" } | { type: "go" } | { type: "stop" }) => {
  const reply = (m: unknown) => process.send!(m);
  const fail = (error: Error) => reply({ type: "error", message: error.stack ?? error.message });
  if (message.type === "setup") {
    setup = message.setup;
    reply({ type: "ready" });
  } else if (message.type === "prepare") prepare().then(() => reply({ type: "prepared" }), fail);
  else if (message.type === "go") go().then((outcome) => reply({ type: "done", outcome }), fail);
  else if (message.type === "stop") {
    pool?.close();
    setTimeout(() => process.exit(0), 200);
  }
});
process.on("disconnect", () => process.exit(0));
