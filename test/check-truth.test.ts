import { spawn } from "node:child_process";
import { chmodSync, chownSync, copyFileSync, mkdirSync, readFileSync, rmSync, statfsSync, writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { createServer, connect, type Server } from "node:net";
import { hostname } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckResult, ResolvedHost } from "@fleetwatch/core";
import { checkHost, checkResultSchema, decodeCpuBaseline, encodeCpuBaseline, loadPrivateKey, parseFleetConfig, runOverSsh } from "@fleetwatch/core";
import type { LabHost } from "@fleetwatch/testkit";
import { Lab, waitFor, writeFleetFile } from "@fleetwatch/testkit";
import type { CliRun } from "./cli-process.js";
import { runCli } from "./cli-process.js";

/** The built `fleetwatch` run as another (unprivileged) user, as a worker not running as root. */
function runCliAs(user: string, args: readonly string[]): Promise<CliRun> {
  const cli = fileURLToPath(new URL("../apps/cli/dist/bin.js", import.meta.url));
  return new Promise((resolve) => {
    const child = spawn("runuser", ["-u", user, "--", process.execPath, cli, ...args], { stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (c) => (stdout += c));
    child.stderr.on("data", (c) => (stderr += c));
    child.on("close", (code) => resolve({ code: code ?? -1, stdout, stderr }));
  });
}

function idsOf(user: string): { uid: number; gid: number } {
  const line = readFileSync("/etc/passwd", "utf8").split("\n").find((l) => l.startsWith(`${user}:`));
  if (!line) throw new Error(`no user ${user}`);
  const [, , uid, gid] = line.split(":");
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * What a check reports is true (issue #12): long process names, configured paths that are
 * not mount points, container memory, and faults on the monitor's side, each against real
 * OpenSSH hosts on loopback.
 */
let lab: Lab;
let dash: LabHost;
let bashAsSh: LabHost;
let busybox: LabHost;
let container: LabHost;
let knownHosts: string;

beforeAll(async () => {
  lab = await Lab.create({ busybox: true });
  [dash] = await lab.startHosts();
  [bashAsSh] = await lab.startHosts({ behaviour: "bash-sh" });
  [busybox] = await lab.startHosts({ behaviour: "busybox" });
  [container] = await lab.startHosts({ behaviour: "container" });
  knownHosts = await lab.writeKnownHosts("known_hosts", [dash!, bashAsSh!, busybox!, container!]);
});

afterAll(async () => {
  await lab?.close();
});

/** Builds a host through the real config loader, as a user's fleet.yaml would. */
function hostFor(target: LabHost, extra = "", ssh: Record<string, string> = {}): ResolvedHost {
  const settings = { user: lab.user.name, key: lab.clientKey.privatePath, knownHosts, connectTimeout: "2s", handshakeTimeout: "5s", commandTimeout: "10s", ...ssh };
  const sshYaml = Object.entries(settings).map(([k, v]) => `${k}: "${v}"`).join(", ");
  const yaml = `defaults: { thresholds: { cpu: {}, load: {} } }\nhosts:\n  - { address: ${target.address}, port: ${target.port}, ssh: { ${sshYaml} }${extra ? `, ${extra}` : ""} }\n`;
  const loaded = parseFleetConfig(yaml, "test.yaml");
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return loaded.value.hosts[0]!;
}

function metricsOf(result: CheckResult): NonNullable<CheckResult["metrics"]> {
  expect(result.reason).toBeUndefined();
  expect(result.outcome).toBe("ok");
  return result.metrics!;
}

describe("a process name longer than the kernel's 15-character comm", () => {
  // Unique to this run: other tests on this machine must not start it.
  const name = () => `fw${lab.id}-controller-manager`;
  const presence = async () => {
    const seen: Record<string, string | undefined> = {};
    for (const [label, host] of Object.entries({ dash: dash!, "bash as sh": bashAsSh!, busybox: busybox! })) {
      seen[label] = metricsOf(await checkHost(hostFor(host, `processes: [${name()}]`))).processes[name()];
    }
    return seen;
  };

  it("is not found in the probe's own shell when sh is bash", async () => {
    expect(await presence()).toEqual({ dash: "missing", "bash as sh": "missing", busybox: "missing" });
  });

  it("is not found in a process that names it in its arguments, nor in another program with the same first 15 characters", async () => {
    // `tail -f …/NAME.log` names it; `NAMEx` has the same comm.
    await lab.startDecoy(name());
    await lab.startProgram(`${name()}x`);
    expect(await presence()).toEqual({ dash: "missing", "bash as sh": "missing", busybox: "missing" });
  });

  it("is found when the program itself runs", async () => {
    await lab.startProgram(name());
    expect(await presence()).toEqual({ dash: "present", "bash as sh": "present", busybox: "present" });
  });
});

describe("CPU in the pipeline: since the previous check, without a pause", () => {
  it("is unmeasured on the first check and measured from its counters on the next, with dash, bash and BusyBox", async () => {
    for (const host of [dash!, bashAsSh!, busybox!]) {
      const first = await checkHost(hostFor(host), { previousCpu: Promise.resolve(undefined) });
      const before = metricsOf(first);
      expect(before.cpu).toMatchObject({ usedPercent: null, method: "none", unmeasured: expect.stringMatching(/first check/) });
      expect(first.checks.map((c) => c.name)).not.toContain("cpu");
      const stored = encodeCpuBaseline(before);
      expect(stored).toBeDefined();
      await waitFor("the host's clock to move past the first reading", () => readUptime() > before.cpu.counters.uptimeSeconds! + 0.05);
      const after = metricsOf(await checkHost(hostFor(host), { previousCpu: Promise.resolve(decodeCpuBaseline(stored)) }));
      expect(after.cpu.method).toBe("delta");
      expect(after.cpu.windowMs).toBeGreaterThan(0);
      expect(after.cpu.usedPercent).toBeGreaterThanOrEqual(0);
      expect(after.cpu.usedPercent).toBeLessThanOrEqual(100);
    }
  });
});

const readUptime = () => Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);

describe("configured mounts", () => {
  it("reports a missing path on its own and measures a path that is not a mount point on the filesystem that holds it", async () => {
    const absent = `/fleetwatch-absent-${lab.id}`;
    const directory = join(lab.dir, "data");
    mkdirSync(directory, { recursive: true });
    const result = await checkHost(hostFor(dash!, `mounts: [${absent}, ${directory}]`));
    const metrics = metricsOf(result);
    expect(metrics.missingMounts).toEqual([absent]);
    expect(metrics.mounts).toHaveLength(1);
    const [measured] = metrics.mounts;
    const fs = statfsSync(directory);
    expect(measured).toMatchObject({ path: directory, sizeBytes: fs.blocks * fs.bsize });
    expect(measured!.mountPoint).not.toBe(directory);
    expect(result.checks.find((c) => c.name === `disk:${absent}`)).toMatchObject({ state: "unknown" });
    expect(result.checks.find((c) => c.name === `disk:${directory}`)?.message).toContain(`(on ${measured!.mountPoint})`);
  });
});

describe("memory in a container", () => {
  const v2 = {
    "memory.max": String(512 * 1024 ** 2),
    "memory.current": String(500 * 1024 ** 2),
    "memory.stat": `anon ${400 * 1024 ** 2}\nfile ${100 * 1024 ** 2}\nactive_file ${80 * 1024 ** 2}\ninactive_file ${20 * 1024 ** 2}\n`,
  };
  const v1 = {
    "memory/memory.limit_in_bytes": String(1024 ** 3),
    "memory/memory.usage_in_bytes": String(900 * 1024 ** 2),
    "memory/memory.stat": `cache 1\nrss 2\ntotal_cache ${300 * 1024 ** 2}\ntotal_inactive_file ${100 * 1024 ** 2}\n`,
  };

  it("judges memory against a cgroup v2 limit, and says so", async () => {
    lab.setContainerCgroup(container!, v2);
    const result = await checkHost(hostFor(container!, "thresholds: { memory: { warning: 90, critical: 98 }, cpu: {}, load: {} }"));
    const { memory } = metricsOf(result);
    expect(memory).toMatchObject({ totalBytes: 512 * 1024 ** 2, usedBytes: 480 * 1024 ** 2, availableSource: "cgroup", cgroup: { version: 2 } });
    expect(memory.usedPercent).toBeCloseTo(93.8, 1);
    expect(result.checks.find((c) => c.name === "memory")).toMatchObject({
      state: "warning",
      message: "memory 93.8% ≥ 90% (of the container's 512 MiB cgroup v2 memory limit)",
    });
  });

  it("judges memory against a cgroup v1 limit", async () => {
    lab.setContainerCgroup(container!, v1);
    const { memory } = metricsOf(await checkHost(hostFor(container!)));
    expect(memory).toMatchObject({ totalBytes: 1024 ** 3, usedBytes: 800 * 1024 ** 2, cgroup: { version: 1 } });
    expect(memory.usedPercent).toBeCloseTo(78.1, 1);
  });

  it("judges the host's memory when the container has no limit", async () => {
    lab.setContainerCgroup(container!, { ...v2, "memory.max": "max" });
    const { memory } = metricsOf(await checkHost(hostFor(container!)));
    expect(memory.cgroup).toBeUndefined();
    expect(memory.availableSource).toBe("MemAvailable");
  });
});

/** A TCP relay in front of a lab host that counts the connections made and still open. */
async function countingRelay(target: LabHost): Promise<{ address: string; port: number; accepted: () => number; open: () => Promise<number>; close: () => void }> {
  let accepted = 0;
  const relay: Server = createServer((client) => {
    accepted += 1;
    const upstream = connect({ host: target.address, port: target.port });
    client.pipe(upstream).pipe(client);
    client.on("error", () => upstream.destroy());
    upstream.on("error", () => client.destroy());
    client.on("close", () => upstream.destroy());
  });
  const address = target.address.replace(/\.\d+$/, ".251");
  await new Promise<void>((resolve) => relay.listen(0, address, resolve));
  const port = (relay.address() as { port: number }).port;
  return {
    address,
    port,
    accepted: () => accepted,
    open: () => new Promise((resolve) => relay.getConnections((_e, n) => resolve(n))),
    close: () => relay.close(),
  };
}

describe("faults on the monitor's side", () => {
  it("gives an outcome naming an unreadable known_hosts file, opens no connection that stays open, and never pins under tofu", async () => {
    const relay = await countingRelay(dash!);
    const asDirectory = join(lab.dir, "known_hosts_is_a_directory");
    mkdirSync(asDirectory, { recursive: true });
    try {
      for (const policy of ["strict", "tofu"]) {
        const result = await checkHost(hostFor({ ...dash!, address: relay.address, port: relay.port }, "", { knownHosts: asDirectory, hostKeyPolicy: policy }));
        expect(result).toMatchObject({
          outcome: "hostkey_unknown",
          state: "unknown",
          metrics: null,
          monitorFault: { kind: "known_hosts", file: asDirectory, cause: "EISDIR" },
        });
        expect(result.reason).toContain(asDirectory);
        expect(checkResultSchema.parse(result)).toEqual(result);
      }
      await waitFor("every connection to the host closed", async () => (await relay.open()) === 0, 10_000);
      expect(relay.accepted()).toBe(0);
    } finally {
      relay.close();
    }
  });

  it("closes the connection when checking the host key fails with a bug, instead of leaving it open", async () => {
    const relay = await countingRelay(dash!);
    const key = loadPrivateKey(lab.clientKey.privatePath, undefined);
    if (!key.ok) throw new Error(key.error.reason);
    const broken = { algorithms: undefined, refusal: () => undefined, verify: (): boolean => { throw new Error("bug in a host key store"); } };
    try {
      const run = runOverSsh(
        { address: relay.address, port: relay.port, user: lab.user.name, key: key.value, hostKeyCheck: () => ({ ok: true, value: broken }), connectTimeoutMs: 2_000, handshakeTimeoutMs: 5_000, commandTimeoutMs: 5_000, maxOutputBytes: 1_000 },
        "true",
        "",
      );
      await expect(run).rejects.toThrow("bug in a host key store");
      expect(relay.accepted()).toBe(1);
      await waitFor("every connection to the host closed", async () => (await relay.open()) === 0, 10_000);
    } finally {
      relay.close();
    }
  });

  it("makes `fleetwatch check` say which known_hosts file it cannot read, and exit 3 (unknown), not crash", async () => {
    const asDirectory = join(lab.dir, "known_hosts_dir_for_cli");
    mkdirSync(asDirectory, { recursive: true });
    const fleet = writeFleetFile(lab, "unreadable-known-hosts.yaml", asDirectory, [{ name: "web-1", host: dash! }], ["  connectTimeout: 2s", "thresholds: { cpu: {}, load: {} }"]);
    const { code, stdout, stderr } = await runCli(["check", "-c", fleet]);
    expect(stderr).not.toContain("internal error");
    expect(stdout).toContain(asDirectory);
    expect(code).toBe(3);
  });

  it.skipIf(process.getuid?.() !== 0)("as an unprivileged worker: a known_hosts file it may not read is named with EACCES, and tofu pins nothing", async () => {
    const { uid, gid } = idsOf(lab.user.name);
    const key = join(lab.dir, "worker_key");
    copyFileSync(lab.clientKey.privatePath, key);
    chownSync(key, uid, gid);
    chmodSync(key, 0o600);
    const forbidden = join(lab.dir, "known_hosts_mode_000");
    copyFileSync(knownHosts, forbidden);
    chmodSync(forbidden, 0o000);
    const before = readFileSync(forbidden, "utf8");
    const fleet = writeFleetFile(lab, "forbidden-known-hosts.yaml", forbidden, [{ name: "web-1", host: dash! }], [
      "  hostKeyPolicy: tofu",
      "  connectTimeout: 2s",
      "thresholds: { cpu: {}, load: {} }",
    ]);
    writeFileSync(fleet, readFileSync(fleet, "utf8").replace(lab.clientKey.privatePath, key));
    const { code, stdout, stderr } = await runCliAs(lab.user.name, ["check", "-c", fleet, "--json"]);
    expect(stderr).not.toContain("internal error");
    const [result] = JSON.parse(stdout).hosts as CheckResult[];
    expect(result).toMatchObject({ outcome: "hostkey_unknown", state: "unknown", monitorFault: { kind: "known_hosts", file: forbidden, cause: "EACCES" } });
    expect(code).toBe(3);
    expect(readFileSync(forbidden, "utf8")).toBe(before);
  });

  it("picks up a key file that appears after the first check failed for it", async () => {
    const later = join(lab.dir, "mounted-later", "id_ed25519");
    rmSync(later, { force: true });
    const before = await checkHost(hostFor(dash!, "", { key: later }));
    expect(before).toMatchObject({ outcome: "auth_failed", state: "unknown", monitorFault: { kind: "private_key", monitor: hostname(), file: later, cause: "ENOENT" } });
    expect(before.reason).toContain(later);
    mkdirSync(join(lab.dir, "mounted-later"), { recursive: true });
    copyFileSync(lab.clientKey.privatePath, later);
    metricsOf(await checkHost(hostFor(dash!, "", { key: later })));
  });
});
