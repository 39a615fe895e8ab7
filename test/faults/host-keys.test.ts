import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect } from "vitest";
import { KEYS } from "@fleetwatch/core";
import type { LabHost } from "@fleetwatch/testkit";
import { TcpProxy, waitFor, writeFleetFile } from "@fleetwatch/testkit";
import { runCli } from "../cli-process.js";
import { Pipeline } from "../pipeline-harness.js";
import { scenario } from "./scenario.js";

/**
 * A host "reinstalled" behind the same address: a loopback proxy forwards to the original
 * sshd, then to another sshd serving a new host key, and resets the open connections (the
 * reboot). Every host here is `logged`, so what ran on it is counted on the sshd side.
 */
const p = new Pipeline();
const proxies: TcpProxy[] = [];
let strictOriginal: LabHost;
/** A strict host reached directly, whose known_hosts line is replaced while its connection is kept. */
let revokedHost: LabHost;
let knownHostsEntries: LabHost[];
let tofuOriginal: LabHost;
let cliOriginal: LabHost;
/** The same addresses' successors, serving the new key: nothing may ever run there. */
let reinstalled: LabHost[];
let strictProxy: TcpProxy;
let tofuProxy: TcpProxy;
let cliProxy: TcpProxy;
let cliConfig: string;
let cliKnownHosts: string;

const viaProxy = (proxy: TcpProxy, host: LabHost): LabHost => ({ ...host, address: proxy.address, port: proxy.port });
const runs = (host: LabHost) => p.lab.commandLog(host.address).split("\n").filter(Boolean).length;

/** Distinct slots of a host whose latest result had this outcome, polled until `count`. */
async function slotsWith(host: string, outcome: string, count: number, also: (reason: string) => boolean = () => true): Promise<number> {
  const seen = new Set<number>();
  await waitFor(`${count} slots of ${host} with ${outcome}`, async () => {
    const latest = await p.latest(host);
    if (latest?.outcome === outcome && also(latest.reason ?? "")) seen.add(latest.startedAt);
    return seen.size >= count;
  }, 90_000);
  return seen.size;
}

beforeAll(async () => {
  await p.start();
  strictOriginal = (await p.lab.startHosts({ behaviour: "logged" }))[0]!;
  revokedHost = (await p.lab.startHosts({ behaviour: "logged" }))[0]!;
  tofuOriginal = (await p.lab.startHosts({ behaviour: "logged" }))[0]!;
  cliOriginal = (await p.lab.startHosts({ behaviour: "logged" }))[0]!;
  const newKey = await p.lab.impostorKey("ed25519");
  reinstalled = await p.lab.startHosts({ count: 4, behaviour: "logged", hostKeys: [newKey] });
  strictProxy = await TcpProxy.start("127.0.0.1", strictOriginal);
  tofuProxy = await TcpProxy.start("127.0.0.1", tofuOriginal);
  cliProxy = await TcpProxy.start("127.0.0.1", cliOriginal);
  proxies.push(strictProxy, tofuProxy, cliProxy);
  const listed = reinstalled[3]!;
  // known_hosts: the strict host's real key; the tofu-listed host with its OLD key (it was reinstalled since).
  knownHostsEntries = [viaProxy(strictProxy, strictOriginal), { ...listed, hostKeys: strictOriginal.hostKeys }, revokedHost];
  const knownHosts = await p.lab.writeKnownHosts("known_hosts", knownHostsEntries);
  p.writeConfig(knownHosts, [
    { name: "kept-strict", host: viaProxy(strictProxy, strictOriginal) },
    { name: "kept-revoked", host: revokedHost },
    { name: "tofu-pinned", host: viaProxy(tofuProxy, tofuOriginal), extra: "ssh: { hostKeyPolicy: tofu }" },
    { name: "tofu-listed", host: listed, extra: "ssh: { hostKeyPolicy: tofu }" },
  ]);
  // The CLI pins into a known_hosts file of its own, which does not exist yet.
  cliKnownHosts = join(p.lab.dir, "cli", "known_hosts");
  cliConfig = writeFleetFile(p.lab, "cli.yaml", cliKnownHosts, [{ name: "tofu-cli", host: viaProxy(cliProxy, cliOriginal) }], ["  hostKeyPolicy: tofu"]);
  p.startAll();
}, 180_000);
afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.close()));
  await p.stop();
});

describe("host keys", () => {
  scenario(import.meta.url, "security", "strict: a host checked over a kept connection is reinstalled with a new key; nothing runs on it, fresh or reused", { timeoutMs: 180_000 }, async () => {
    // Several ok slots, the later ones over the connection kept from the first.
    await waitFor("kept-strict checked ok over a reused connection", async () => {
      const latest = await p.latest("kept-strict");
      return latest?.outcome === "ok" && latest.reused === true;
    }, 90_000);
    const before = p.lab.logins(strictOriginal);
    strictProxy.retarget(reinstalled[0]!);
    strictProxy.cut(); // the reboot: the kept connection is reset
    const refused = await slotsWith("kept-strict", "hostkey_mismatch", 3, (reason) => reason.includes("HOST KEY CHANGED"));
    const ran = runs(reinstalled[0]!);
    expect(ran, "commands run on the reinstalled host").toBe(0);
    expect(p.lab.logins(reinstalled[0]!), "logins on the reinstalled hosts' sshd").toBe(0);
    expect(p.lab.logins(strictOriginal), "no login on the original after the switch").toBe(before);
    return { expected: refused, delivered: refused, lost: ran, duplicated: 0, allowedDuplicates: 0, notes: `${before} login(s) for the ok slots (the connection kept); after the key changed ${refused} slots refused on fresh connections, ${ran} commands reached the new sshd` };
  });

  scenario(import.meta.url, "security", "strict: the key in known_hosts replaced while the connection is kept: the kept connection is dropped, nothing more runs", { timeoutMs: 180_000 }, async () => {
    await waitFor("kept-revoked checked ok over a reused connection", async () => {
      const latest = await p.latest("kept-revoked");
      return latest?.outcome === "ok" && latest.reused === true;
    }, 90_000);
    // The operator learns the host's key is compromised and lists another one; the host, still
    // serving the old key, keeps its TCP connection open.
    await p.lab.writeKnownHosts("known_hosts", knownHostsEntries, { override: new Map([[revokedHost.address, [await p.lab.impostorKey("ed25519")]]]) });
    const edited = Date.now();
    const before = runs(revokedHost);
    const refused = await slotsWith("kept-revoked", "hostkey_mismatch", 3, (reason) => reason.includes("HOST KEY CHANGED"));
    // A check already running over the kept connection when the file changed may finish; none starts after.
    const late = p.lab.commandLog(revokedHost.address).split("\n").filter(Boolean).filter((line) => Number(line.split(" ")[0]) * 1000 > edited + 1_000).length;
    expect(late, "commands run after known_hosts changed").toBe(0);
    return { expected: refused, delivered: refused, lost: late, duplicated: 0, allowedDuplicates: 0, notes: `${before} runs before the edit (over one kept connection: ${p.lab.logins(revokedHost)} login(s) in all); after it ${refused} slots refused with HOST KEY CHANGED, ${late} commands run later than 1 s after the edit` };
  });

  scenario(import.meta.url, "security", "tofu in the pipeline: the first key is pinned, a changed key is refused and says so; a key already in knownHosts counts", { timeoutMs: 180_000 }, async () => {
    await slotsWith("tofu-pinned", "ok", 2);
    const pinned = await p.redis.hget(KEYS.pinnedHostKeys, `[${tofuProxy.address}]:${tofuProxy.port}`);
    const original = tofuOriginal.hostKeys[0]!.publicLine.split(/\s+/)[1];
    expect(pinned, "the first key pinned in Redis").toBe(original);
    tofuProxy.retarget(reinstalled[1]!);
    tofuProxy.cut();
    const refused = await slotsWith("tofu-pinned", "hostkey_mismatch", 3, (reason) => reason.includes("HOST KEY CHANGED"));
    expect(await p.redis.hget(KEYS.pinnedHostKeys, `[${tofuProxy.address}]:${tofuProxy.port}`), "the pin kept").toBe(original);
    // Listed in knownHosts with its old key: tofu trusts the file first and refuses the new one.
    const listedRefused = await slotsWith("tofu-listed", "hostkey_mismatch", 2);
    const ran = runs(reinstalled[1]!) + runs(reinstalled[3]!);
    expect(ran, "commands run on a host whose key changed").toBe(0);
    expect(p.lab.logins(reinstalled[1]!), "logins on the reinstalled hosts' sshd").toBe(0);
    return { expected: refused + listedRefused, delivered: refused + listedRefused, lost: ran, duplicated: 0, allowedDuplicates: 0, notes: `pinned on first use (Redis), then ${refused} slots refused with HOST KEY CHANGED; a tofu host listed in knownHosts with its old key: ${listedRefused} slots refused; ${ran} commands reached a changed host` };
  });

  scenario(import.meta.url, "security", "tofu in the CLI: the first check pins the key into knownHosts, the check after a change refuses and says so", { timeoutMs: 120_000 }, async () => {
    const first = await runCli(["check", "-c", cliConfig, "--json"], p.env());
    const firstResult = JSON.parse(first.stdout) as { hosts: { outcome: string }[] };
    expect(firstResult.hosts[0]?.outcome, first.stderr).toBe("ok");
    expect(existsSync(cliKnownHosts) && readFileSync(cliKnownHosts, "utf8"), "the key pinned into knownHosts").toContain(cliOriginal.hostKeys[0]!.publicLine.split(/\s+/)[1]!);
    cliProxy.retarget(reinstalled[2]!);
    const json = await runCli(["check", "-c", cliConfig, "--json"], p.env());
    const after = JSON.parse(json.stdout) as { hosts: { outcome: string; reason?: string }[] };
    const text = await runCli(["check", "-c", cliConfig], p.env());
    expect(after.hosts[0]?.outcome).toBe("hostkey_mismatch");
    expect(after.hosts[0]?.reason).toContain("HOST KEY CHANGED");
    expect(text.code, "the check exits non-zero").not.toBe(0);
    expect(text.stdout + text.stderr, "the human output says the key changed").toContain("HOST KEY CHANGED");
    const ran = runs(reinstalled[2]!);
    expect(ran, "commands run on the reinstalled host").toBe(0);
    expect(runs(cliOriginal), "the first check ran on the original").toBeGreaterThan(0);
    return { expected: 2, delivered: 2, lost: ran, duplicated: 0, allowedDuplicates: 0, notes: `pinned into a new knownHosts file by the first check; the next two (--json and text) refused with HOST KEY CHANGED; ${ran} commands reached the new sshd` };
  });
});
