import { afterAll, beforeAll, expect, it } from "vitest";
import { checkHost, parseFleetConfig, SshConnectionPool } from "@fleetwatch/core";
import { SimulatedFleet } from "@fleetwatch/testkit";

let fleet: SimulatedFleet;
const pool = new SshConnectionPool();

beforeAll(async () => {
  fleet = await SimulatedFleet.start({ hosts: 10, processes: 2, brokenEvery: 2, probeMs: 50 });
});

afterAll(async () => {
  pool.close();
  await fleet?.close();
});

it("serves healthy and broken hosts that the real check tells apart, each on its own address", async () => {
  const yaml = [
    "defaults:",
    `  ssh: { user: monitor, key: ${fleet.clientKeyPath}, knownHosts: ${fleet.knownHostsPath}, connectTimeout: 5s, handshakeTimeout: 5s, commandTimeout: 5s }`, // generous: a loaded machine must not turn a healthy host into a timeout
    "  processes: [sshd]",
    "hosts:",
    ...fleet.hosts.map((h) => `  - { name: ${h.name}, address: ${h.address}, port: ${h.port} }`),
  ].join("\n");
  const loaded = parseFleetConfig(yaml, "sim.yaml");
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  const expected = { healthy: "ok", hang: "probe_timeout", garbage: "probe_failed", "deny-key": "auth_failed", silent: "ssh_timeout", refused: "unreachable" };
  const results = await Promise.all(loaded.value.hosts.map((host) => checkHost(host, { pool })));
  results.forEach((result, i) => expect([fleet.hosts[i]!.kind, result.outcome]).toEqual([fleet.hosts[i]!.kind, expected[fleet.hosts[i]!.kind]]));
  expect(new Set(fleet.hosts.map((h) => h.kind)).size).toBe(6);
  expect(new Set(results.filter((r) => r.outcome === "ok").map((r) => r.metrics!.hostname)).size).toBe(5);
  const again = await checkHost(loaded.value.hosts[0]!, { pool });
  expect(again).toMatchObject({ outcome: "ok", reused: true });
  // 5 healthy hosts, the hanging one and the garbage one logged in; the second check did not.
  expect(await fleet.counts()).toMatchObject({ logins: 7 });
});
