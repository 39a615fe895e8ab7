import { appendFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { CheckResult, ResolvedHost, SshPoolOptions } from "@fleetwatch/core";
import { checkHost, hostKeyCheck, hostTrustKey, knownHostsFile, loadPrivateKey, parseFleetConfig, SshConnectionPool } from "@fleetwatch/core";
import type { LabHost } from "@fleetwatch/testkit";
import { Lab, TcpProxy, waitFor } from "@fleetwatch/testkit";

let lab: Lab;
const pools: SshConnectionPool[] = [];
const proxies: TcpProxy[] = [];
let proxyOctet = 240;

beforeAll(async () => {
  lab = await Lab.create();
});

afterAll(async () => {
  for (const pool of pools) pool.close();
  await Promise.all(proxies.map((proxy) => proxy.close()));
  await lab?.close();
});

function pool(options: Partial<SshPoolOptions> = {}): SshConnectionPool {
  const made = new SshConnectionPool({ channelOpenTimeoutMs: 1_000, ...options });
  pools.push(made);
  return made;
}

/** A lab host of its own (its own sshd, so its logins can be counted) that logs every command. */
async function loggedHost(): Promise<LabHost> {
  const [host] = await lab.startHosts({ behaviour: "logged" });
  return host!;
}

/** A proxy in front of a host, at an address of its own. */
async function proxyFor(host: LabHost): Promise<{ proxy: TcpProxy; via: LabHost }> {
  const proxy = await TcpProxy.start(host.address.replace(/\.\d+$/, `.${proxyOctet++}`), host);
  proxies.push(proxy);
  return { proxy, via: { ...host, address: proxy.address, port: proxy.port } };
}

/** Builds a host through the real config loader, as a user's fleet.yaml would. */
async function hostFor(target: LabHost, ssh: Record<string, string> = {}): Promise<ResolvedHost> {
  const knownHosts = ssh.knownHosts ?? (await lab.writeKnownHosts(`known_hosts_${target.address}_${target.port}`, [target]));
  const settings = { user: lab.user.name, key: lab.clientKey.privatePath, connectTimeout: "2s", handshakeTimeout: "3s", commandTimeout: "5s", ...ssh, knownHosts };
  const sshYaml = Object.entries(settings).map(([k, v]) => `${k}: "${v}"`).join(", ");
  const yaml = `defaults: { thresholds: { cpu: {}, load: {} } }\nhosts:\n  - { address: ${target.address}, port: ${target.port}, ssh: { ${sshYaml} } }\n`;
  const loaded = parseFleetConfig(yaml, "test.yaml");
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return loaded.value.hosts[0]!;
}

const runs = (host: LabHost) => lab.commandLog(host.address).split("\n").filter(Boolean).length;

function expectOk(result: CheckResult): void {
  expect(result.reason).toBeUndefined();
  expect(result.outcome).toBe("ok");
}

describe("a worker's kept SSH connections", () => {
  it("logs in once and runs every later check as a new channel on the same connection", async () => {
    const target = await loggedHost();
    const host = await hostFor(target);
    const kept = pool();
    const results = [];
    for (let i = 0; i < 3; i++) results.push(await checkHost(host, { pool: kept }));
    for (const result of results) expectOk(result);
    expect(results.map((r) => r.reused)).toEqual([false, true, true]);
    expect(results[1]!.timings).toMatchObject({ connectMs: 0, handshakeMs: 0 });
    expect(lab.logins(target)).toBe(1);
    expect(runs(target)).toBe(3);
    expect(kept.stats()).toMatchObject({ open: 1, logins: 1, reused: 2 });
  });

  it("runs more checks of one host at once than sshd opens sessions per connection (MaxSessions 10): the rest wait for a channel, none fails", async () => {
    const target = await loggedHost();
    const host = await hostFor(target);
    const kept = pool();
    const results = await Promise.all(Array.from({ length: 16 }, () => checkHost(host, { pool: kept })));
    expect(results.filter((r) => r.outcome !== "ok").map((r) => r.reason)).toEqual([]);
    // A channel freed here may not be released by sshd yet: a check refused a channel then logs in on its own.
    expect(lab.logins(target)).toBeLessThanOrEqual(4);
    expect(runs(target)).toBe(16);
  });

  it("lets each of two hung checks on one connection end as probe_timeout: one's overrun does not cut the other", async () => {
    const [target] = await lab.startHosts({ behaviour: "hang" });
    const host = await hostFor(target!, { commandTimeout: "2s" });
    const kept = pool();
    // Warm: the connection is kept (a hung probe retires it, so two at once need it open first).
    await checkHost(await hostFor(target!, { commandTimeout: "1s" }), { pool: kept }).catch(() => undefined);
    const first = checkHost(host, { pool: kept });
    await new Promise((r) => setTimeout(r, 300));
    const second = checkHost(host, { pool: kept });
    const results = await Promise.all([first, second]);
    expect(results.map((r) => [r.outcome, r.reason])).toEqual([
      ["probe_timeout", "the probe did not finish within 2.0s"],
      ["probe_timeout", "the probe did not finish within 2.0s"],
    ]);
  });

  it("moves a check from a half-open connection to a fresh one within its deadline, running the probe once", async () => {
    const target = await loggedHost();
    const { proxy, via } = await proxyFor(target);
    const host = await hostFor(via);
    const kept = pool();
    expectOk(await checkHost(host, { pool: kept }));
    proxy.freeze();
    const result = await checkHost(host, { pool: kept });
    expectOk(result);
    expect(result).toMatchObject({ retried: true, reused: false });
    expect(result.durationMs).toBeLessThan(2_000 + 3_000 + 5_000);
    expect(proxy.accepted).toBe(2);
    expect(lab.logins(target)).toBe(2);
    expect(runs(target)).toBe(2);
    expect(kept.stats()).toMatchObject({ open: 1, replaced: 1 });
  });

  it("replaces a connection that was reset while idle", async () => {
    const target = await loggedHost();
    const { proxy, via } = await proxyFor(target);
    const host = await hostFor(via);
    const kept = pool();
    expectOk(await checkHost(host, { pool: kept }));
    proxy.cut();
    await waitFor("the reset connection to leave the pool", () => kept.stats().open === 0, 10_000);
    const result = await checkHost(host, { pool: kept });
    expectOk(result);
    expect(result.reused).toBe(false);
    expect(lab.logins(target)).toBe(2);
    expect(runs(target)).toBe(2);
  });

  it("never runs the probe twice when the connection dies while it runs", async () => {
    const target = await loggedHost();
    const { proxy, via } = await proxyFor(target);
    const host = await hostFor(via);
    const kept = pool();
    expectOk(await checkHost(host, { pool: kept }));
    const key = loadPrivateKey(lab.clientKey.privatePath, undefined);
    if (!key.ok) throw new Error(key.error.reason);
    const store = knownHostsFile(host.ssh.knownHosts);
    const running = kept.run(
      {
        address: via.address,
        port: via.port,
        user: lab.user.name,
        key: key.value,
        hostKeyCheck: () => hostKeyCheck("strict", store, via.address, via.port),
        connectTimeoutMs: 2_000,
        handshakeTimeoutMs: 3_000,
        commandTimeoutMs: 10_000,
        maxOutputBytes: 10_000,
        // The same settings and trust as the check before, so the kept connection is used.
        settingsKey: JSON.stringify([via.address, via.port, lab.user.name, lab.clientKey.privatePath, null, host.ssh.knownHosts, "strict"]),
        trustKey: () => hostTrustKey("strict", store, via.address, via.port),
      },
      "sleep 30; echo finished",
      "",
    );
    await waitFor("the command to start on the host", () => lab.commandLog(target.address).includes("sleep 30"), 10_000);
    proxy.cut();
    const result = await running;
    expect(result.ok).toBe(false);
    expect(!result.ok && result.failure.outcome).toBe("probe_failed");
    expect(result).toMatchObject({ retried: false, reused: true });
    expect(lab.commandLog(target.address).split("\n").filter((line) => line.includes("sleep 30"))).toHaveLength(1);
    expect(lab.logins(target)).toBe(1);
  });

  it("verifies the host key again on reconnect: a host now showing another key runs nothing", async () => {
    const target = await loggedHost();
    const [impostor] = await lab.startHosts({ behaviour: "logged", hostKeyKinds: ["ecdsa"] });
    const { proxy, via } = await proxyFor(target);
    const host = await hostFor(via);
    const kept = pool();
    expectOk(await checkHost(host, { pool: kept }));
    proxy.retarget(impostor!);
    proxy.cut();
    await waitFor("the reset connection to leave the pool", () => kept.stats().open === 0, 10_000);
    const result = await checkHost(host, { pool: kept });
    expect(result).toMatchObject({ outcome: "hostkey_mismatch", metrics: null });
    expect(runs(impostor!)).toBe(0);
    expect(runs(target)).toBe(1);
  });

  it("closes the kept connection when the host's known_hosts entry changes: a key newly @revoked stops probing at once", async () => {
    const target = await loggedHost();
    const host = await hostFor(target);
    const kept = pool();
    expectOk(await checkHost(host, { pool: kept }));
    const served = target.hostKeys[0]!.publicLine.split(" ").slice(0, 2).join(" ");
    appendFileSync(host.ssh.knownHosts, `@revoked [${target.address}]:${target.port} ${served}\n`);
    const result = await checkHost(host, { pool: kept });
    expect(result.outcome).toBe("hostkey_mismatch");
    expect(result.reason).toContain("@revoked");
    expect(runs(target)).toBe(1);
    expect(kept.stats().closed.changed).toBe(1);
  });

  it("logs in again when the host's SSH settings change", async () => {
    const target = await loggedHost();
    const kept = pool();
    expectOk(await checkHost(await hostFor(target), { pool: kept }));
    const otherKey = await lab.clientKeyOf("ed25519");
    const changed = await checkHost(await hostFor(target, { key: otherKey.privatePath }), { pool: kept });
    expectOk(changed);
    expect(changed.reused).toBe(false);
    expect(lab.logins(target)).toBe(2);
    expect(kept.stats()).toMatchObject({ open: 1, closed: { changed: 1 } });
  });

  it("closes connections unused past the idle timeout, evicts the least recently used at the bound, and closes all on close()", async () => {
    const [a, b] = await lab.startHosts({ count: 2 });
    const idle = pool({ idleTimeoutMs: 1_000 });
    expectOk(await checkHost(await hostFor(a!), { pool: idle }));
    await waitFor("the idle connection to close", () => idle.stats().open === 0, 10_000);
    expect(idle.stats().closed.idle).toBe(1);

    const bounded = pool({ maxConnections: 1 });
    expectOk(await checkHost(await hostFor(a!), { pool: bounded }));
    expectOk(await checkHost(await hostFor(b!), { pool: bounded }));
    expect(bounded.stats()).toMatchObject({ open: 1, closed: { evicted: 1 } });
    bounded.close();
    expect(bounded.stats()).toMatchObject({ open: 0, closed: { shutdown: 1 } });
  });
});
