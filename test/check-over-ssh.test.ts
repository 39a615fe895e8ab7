import { readFileSync, statfsSync, writeFileSync } from "node:fs";
import { randomInt } from "node:crypto";
import { cpus, hostname } from "node:os";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckResult, ResolvedHost } from "@fleetwatch/core";
import { checkHost, clearPrivateKeyCache, hostKeyCheck, knownHostsFile, loadPrivateKey, parseFleetConfig, runOverSsh } from "@fleetwatch/core";
import type { KeyPair, LabHost } from "@fleetwatch/testkit";
import { Lab } from "@fleetwatch/testkit";

let lab: Lab;
let healthy: LabHost;
let logged: LabHost[];
let busybox: LabHost;
let dualKey: LabHost;
let hang: LabHost;
let garbage: LabHost;
let denied: LabHost;
let knownHosts: string;

beforeAll(async () => {
  lab = await Lab.create({ busybox: true });
  [healthy] = await lab.startHosts();
  logged = await lab.startHosts({ count: 3, behaviour: "logged" });
  [busybox] = await lab.startHosts({ behaviour: "busybox" });
  [dualKey] = await lab.startHosts({ hostKeyKinds: ["ed25519", "rsa"] });
  [hang] = await lab.startHosts({ behaviour: "hang" });
  [garbage] = await lab.startHosts({ behaviour: "garbage" });
  [denied] = await lab.startHosts({ behaviour: "deny-key" });
  knownHosts = await lab.writeKnownHosts("known_hosts", [healthy!, ...logged, busybox!, hang!, garbage!, denied!]);
});

afterAll(async () => {
  await lab?.close();
});

/** Builds a host through the real config loader, as a user's fleet.yaml would. */
function hostFor(target: LabHost, ssh: Record<string, string> = {}, extra = ""): ResolvedHost {
  const settings = { user: lab.user.name, key: lab.clientKey.privatePath, knownHosts, connectTimeout: "2s", handshakeTimeout: "3s", commandTimeout: "3s", ...ssh };
  const sshYaml = Object.entries(settings).map(([k, v]) => `${k}: "${v}"`).join(", ");
  // cpu and load have no levels: these tests must not depend on how busy the machine is.
  const yaml = `defaults: { thresholds: { cpu: {}, load: {} } }\nhosts:\n  - { address: ${target.address}, port: ${target.port}, ssh: { ${sshYaml} }${extra ? `, ${extra}` : ""} }\n`;
  const loaded = parseFleetConfig(yaml, "test.yaml");
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return loaded.value.hosts[0]!;
}

function expectOk(result: CheckResult): NonNullable<CheckResult["metrics"]> {
  expect(result.reason).toBeUndefined();
  expect(result.outcome).toBe("ok");
  return result.metrics!;
}

/** What this machine says about itself, for comparison: the lab hosts are this machine. */
function expectMetricsOfThisMachine(metrics: NonNullable<CheckResult["metrics"]>) {
  const meminfo = readFileSync("/proc/meminfo", "utf8");
  const kb = (name: string) => Number(new RegExp(`^${name}:\\s+(\\d+)`, "m").exec(meminfo)![1]) * 1024;
  expect(metrics.hostname).toBe(hostname());
  expect(metrics.cores).toBe(cpus().length);
  expect(metrics.memory.totalBytes).toBe(kb("MemTotal"));
  expect(metrics.memory.usedPercent).toBeCloseTo(((kb("MemTotal") - kb("MemAvailable")) / kb("MemTotal")) * 100, -0.5);
  const root = metrics.mounts.find((m) => m.mountPoint === "/");
  expect(root).toBeDefined();
  const fs = statfsSync("/");
  const used = (fs.blocks - fs.bfree) * fs.bsize;
  const available = fs.bavail * fs.bsize;
  expect(root!.sizeBytes).toBe(fs.blocks * fs.bsize);
  expect(Math.abs(root!.usedPercent - (used / (used + available)) * 100)).toBeLessThan(1);
  expect(Math.abs(root!.inodes!.usedPercent - ((fs.files - fs.ffree) / fs.files) * 100)).toBeLessThan(1);
  expect(metrics.cpu.windowMs).toBeGreaterThanOrEqual(450);
  expect(metrics.cpu.usedPercent).toBeGreaterThanOrEqual(0);
  expect(metrics.cpu.usedPercent).toBeLessThanOrEqual(100);
}

describe("checking a healthy host over real OpenSSH", () => {
  it("reports the memory, disk, inodes, cores and hostname this machine has", async () => {
    const result = await checkHost(hostFor(healthy, {}, "mounts: [/]"));
    expectMetricsOfThisMachine(expectOk(result));
    expect(result.state).toBe("ok");
    expect(result.timings.handshakeMs).toBeGreaterThan(0);
  });

  it("reports the same figures from a BusyBox-only userland", async () => {
    const result = await checkHost(hostFor(busybox, {}, "mounts: [/]"));
    expectMetricsOfThisMachine(expectOk(result));
  });

  it("says which required process runs and which does not", async () => {
    const result = await checkHost(hostFor(healthy, {}, "processes: [sshd, nginx-not-here]"));
    expect(expectOk(result).processes).toEqual({ sshd: "present", "nginx-not-here": "missing" });
    expect(result.checks.find((c) => c.name === "process:nginx-not-here")).toMatchObject({ state: "critical" });
    expect(result.state).toBe("critical");
  });

  it("judges thresholds: crossed ones warn, others stay ok", async () => {
    const crossed = await checkHost(hostFor(healthy, {}, "mounts: [/], thresholds: { disk: { warning: 0.001, critical: 100 }, memory: 100 }"));
    expect(crossed.checks.find((c) => c.name === "disk:/")).toMatchObject({ state: "warning", threshold: { warning: 0.001, critical: 100 } });
    expect(crossed.checks.find((c) => c.name === "memory")).toMatchObject({ state: "ok" });
    expect(crossed.state).toBe("warning");
  });
});

describe("client keys", () => {
  const kinds: [string, () => Promise<KeyPair>][] = [
    ["RSA in PEM format", () => lab.clientKeyOf("rsa", { format: "pem" })],
    ["RSA in OpenSSH format", () => lab.clientKeyOf("rsa")],
    ["ECDSA", () => lab.clientKeyOf("ecdsa")],
    ["Ed25519 with a passphrase", () => lab.clientKeyOf("ed25519", { passphrase: "correct horse" })],
    ["RSA PEM with a passphrase", () => lab.clientKeyOf("rsa", { format: "pem", passphrase: "battery staple" })],
  ];
  for (const [label, make] of kinds) {
    it(`logs in with ${label}`, async () => {
      const key = await make();
      const ssh: Record<string, string> = { key: key.privatePath };
      if (key.passphrase) {
        process.env.FW_TEST_PASS = key.passphrase;
        ssh.passphrase = "${FW_TEST_PASS}";
      }
      expectOk(await checkHost(hostFor(healthy, ssh)));
    });
  }

  it("fails with auth_failed when the passphrase is wrong, as the monitor's fault", async () => {
    const key = await lab.clientKeyOf("ed25519", { passphrase: "the right one" });
    process.env.FW_WRONG_PASS = "not the right one";
    const result = await checkHost(hostFor(healthy, { key: key.privatePath, passphrase: "${FW_WRONG_PASS}" }));
    expect(result).toMatchObject({ outcome: "auth_failed", state: "unknown", monitorFault: { kind: "private_key", file: key.privatePath, cause: "passphrase_wrong" } });
    expect(result.reason).toContain("passphrase is wrong");
    expect(result.reason).not.toContain("not the right one");
    clearPrivateKeyCache();
  });

  it("fails with auth_failed when the key is not authorized", async () => {
    const result = await checkHost(hostFor(denied));
    expect(result).toMatchObject({ outcome: "auth_failed", state: "critical" });
    expect(result.reason).toContain("refused key authentication");
  });
});

describe("host keys", () => {
  it("accepts a host listed in a hashed known_hosts file", async () => {
    const hashed = await lab.writeKnownHosts("known_hosts_hashed", [healthy], { hashed: true });
    expect(readFileSync(hashed, "utf8")).toMatch(/^\|1\|/);
    expectOk(await checkHost(hostFor(healthy, { knownHosts: hashed })));
  });

  it("accepts a host known only by its RSA key, though it also has an Ed25519 key", async () => {
    const rsaOnly = await lab.writeKnownHosts("known_hosts_rsa", [dualKey], {
      override: new Map([[dualKey.address, [await lab.hostKey("rsa")]]]),
    });
    expectOk(await checkHost(hostFor(dualKey, { knownHosts: rsaOnly })));
  });

  it("refuses a changed host key and runs nothing on the host", async () => {
    const target = logged[0]!;
    const wrong = await lab.writeKnownHosts("known_hosts_wrong", [target], {
      override: new Map([[target.address, [await lab.impostorKey("ed25519")]]]),
    });
    const result = await checkHost(hostFor(target, { knownHosts: wrong }));
    expect(result).toMatchObject({ outcome: "hostkey_mismatch", state: "critical", metrics: null });
    expect(result.reason).toContain("HOST KEY CHANGED");
    expect(lab.commandLog(target.address)).toBe("");
  });

  it("refuses an unknown host under strict and runs nothing on it", async () => {
    const target = logged[1]!;
    const empty = await lab.writeKnownHosts("known_hosts_empty", []);
    const result = await checkHost(hostFor(target, { knownHosts: empty }));
    expect(result).toMatchObject({ outcome: "hostkey_unknown", state: "critical" });
    expect(result.reason).toContain("ssh-keyscan");
    expect(lab.commandLog(target.address)).toBe("");
  });

  it("pins the first key under tofu, then reports a changed key as a mismatch", async () => {
    const target = logged[2]!;
    const pinFile = `${lab.dir}/pinned/known_hosts`;
    const first = await checkHost(hostFor(target, { knownHosts: pinFile, hostKeyPolicy: "tofu" }));
    expectOk(first);
    const pinned = readFileSync(pinFile, "utf8");
    expect(pinned).toContain(`[${target.address}]:${target.port} ssh-ed25519 `);
    expectOk(await checkHost(hostFor(target, { knownHosts: pinFile, hostKeyPolicy: "tofu" })));
    expect(readFileSync(pinFile, "utf8")).toBe(pinned);
    const runsBefore = lab.commandLog(target.address).split("\n").filter(Boolean).length;
    // The host now shows another key than the one pinned.
    const impostor = await lab.impostorKey("ed25519");
    writeFileSync(pinFile, pinned.replace(/ssh-ed25519 \S+/, impostor.publicLine.split(" ").slice(0, 2).join(" ")));
    const changed = await checkHost(hostFor(target, { knownHosts: pinFile, hostKeyPolicy: "tofu" }));
    expect(changed.outcome).toBe("hostkey_mismatch");
    expect(lab.commandLog(target.address).split("\n").filter(Boolean)).toHaveLength(runsBefore);
  });

  it("accepts any key with hostKeyPolicy off", async () => {
    const empty = await lab.writeKnownHosts("known_hosts_none", []);
    expectOk(await checkHost(hostFor(healthy, { knownHosts: empty, hostKeyPolicy: "off" })));
  });
});

describe("broken hosts, each within its own deadline", () => {
  it("reports a refused port as unreachable", async () => {
    const closed = await lab.closedHost();
    const result = await checkHost(hostFor(closed));
    expect(result).toMatchObject({ outcome: "unreachable", state: "critical" });
    expect(result.reason).toContain("connection refused");
  });

  it("reports a listener that never sends a banner as ssh_timeout after the handshake deadline", async () => {
    const silent = await lab.startSilentHost();
    const result = await checkHost(hostFor(silent, { handshakeTimeout: "1s" }));
    expect(result).toMatchObject({ outcome: "ssh_timeout", reason: "no SSH banner within 1.0s" });
    expect(result.durationMs).toBeGreaterThanOrEqual(1000);
    expect(result.durationMs).toBeLessThan(2500);
  });

  it("reports a command that hangs as probe_timeout after the command deadline", async () => {
    const result = await checkHost(hostFor(hang, { commandTimeout: "1500ms" }));
    expect(result).toMatchObject({ outcome: "probe_timeout", state: "critical" });
    expect(result.timings.commandMs).toBeGreaterThanOrEqual(1500);
    expect(result.durationMs).toBeLessThan(3500);
  });

  it("kills a command that overran its deadline, leaving nothing running on the host", async () => {
    const { run } = await import("@fleetwatch/testkit");
    // A sleep no other test run on this machine starts (every lab host is this machine).
    const sleeper = `sleep 3601.${randomInt(1_000_000)}`;
    const key = loadPrivateKey(lab.clientKey.privatePath, undefined);
    if (!key.ok) throw new Error(key.error.reason);
    const result = await runOverSsh(
      {
        address: healthy.address,
        port: healthy.port,
        user: lab.user.name,
        key: key.value,
        hostKeyCheck: () => hostKeyCheck("strict", knownHostsFile(knownHosts), healthy.address, healthy.port),
        connectTimeoutMs: 2_000,
        handshakeTimeoutMs: 3_000,
        commandTimeoutMs: 1_000,
        maxOutputBytes: 1_000,
      },
      `exec ${sleeper}`,
      "",
    );
    expect(result.ok).toBe(false);
    expect(!result.ok && result.failure.outcome).toBe("probe_timeout");
    await new Promise((r) => setTimeout(r, 500));
    expect((await run("pgrep", ["-f", sleeper])).stdout).toBe("");
  });

  it("reports a shell that prints garbage and exits 127 as probe_failed, state unknown", async () => {
    const result = await checkHost(hostFor(garbage));
    expect(result).toMatchObject({ outcome: "probe_failed", state: "unknown", metrics: null });
    expect(result.reason).toContain("exit 127");
    expect(result.reason).toContain("fish: Unknown command: sh");
  });
});

describe("a burst that sshd refuses (MaxStartups)", () => {
  it("retries once a connection closed before the banner, and then succeeds", async () => {
    const { createServer, connect } = await import("node:net");
    let connections = 0;
    const proxy = createServer((client) => {
      connections += 1;
      if (connections === 1) return client.destroy();
      const upstream = connect({ host: healthy.address, port: healthy.port });
      client.pipe(upstream).pipe(client);
      client.on("error", () => upstream.destroy());
      upstream.on("error", () => client.destroy());
    });
    const address = healthy.address.replace(/\.\d+$/, ".250");
    await new Promise<void>((resolve) => proxy.listen(0, address, resolve));
    const port = (proxy.address() as { port: number }).port;
    const viaProxy = await lab.writeKnownHosts("known_hosts_proxy", [{ ...healthy, address, port }]);
    try {
      const result = await checkHost(hostFor({ ...healthy, address, port }, { knownHosts: viaProxy }));
      expectOk(result);
      expect(result.retried).toBe(true);
      expect(connections).toBe(2);
    } finally {
      proxy.close();
    }
  });
});
