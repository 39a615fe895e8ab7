import { writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkResultSchema } from "@fleetwatch/core";
import type { LabHost } from "@fleetwatch/testkit";
import { Lab, writeFleetFile } from "@fleetwatch/testkit";
import { runCli } from "./cli-process.js";

const fleetwatch = (...args: string[]) => runCli(args);



let lab: Lab;
let good: LabHost[];
let garbage: LabHost;
let knownHosts: string;
// cpu and load have no levels here, and the stage deadlines are generous: these tests must
// not depend on how busy the machine is (a login on a loaded 2-core machine can take seconds).
const defaults = ["  connectTimeout: 10s", "  handshakeTimeout: 20s", "  commandTimeout: 20s", "mounts: [/]", "thresholds: { cpu: {}, load: {} }"];
/** Short deadlines, for hosts that never answer: what is measured is the deadline itself. */
const silentDefaults = ["  connectTimeout: 2s", "  handshakeTimeout: 1s", "  commandTimeout: 5s", "mounts: [/]", "thresholds: { cpu: {}, load: {} }"];

beforeAll(async () => {
  lab = await Lab.create();
  good = await lab.startHosts({ count: 2 });
  [garbage] = await lab.startHosts({ behaviour: "garbage" });
  knownHosts = await lab.writeKnownHosts("known_hosts", [...good, garbage!]);
});
afterAll(async () => {
  await lab?.close();
});

describe("fleetwatch check", () => {
  it("exits 0 when every host is ok, and prints a table and a summary", async () => {
    const fleet = writeFleetFile(lab, "ok.yaml", knownHosts, [{ name: "web-1", host: good[0]! }, { name: "web-2", host: good[1]! }], defaults);
    const { code, stdout } = await fleetwatch("check", "-c", fleet);
    expect(stdout).toMatch(/^HOST\s+STATE\s+CPU\s+MEM\s+DISK \(worst\)\s+LOAD\s+MISSING\s+TIME/m);
    expect(stdout).toMatch(/^web-1\s+OK/m);
    expect(stdout).toContain("2 hosts: 0 critical, 0 warning, 0 unknown, 2 ok — OK");
    expect(code).toBe(0);
  });

  it("exits 1 when the worst host is a warning", async () => {
    const fleet = writeFleetFile(lab, "warn.yaml", knownHosts, [
      { name: "web-1", host: good[0]!, extra: "thresholds: { disk: { warning: 0.001, critical: 100 }, cpu: {}, load: {} }" },
    ], defaults);
    expect((await fleetwatch("check", "-c", fleet)).code).toBe(1);
  });

  it("exits 3 when the worst host is unknown (a probe that failed)", async () => {
    const fleet = writeFleetFile(lab, "unknown.yaml", knownHosts, [{ name: "odd-1", host: garbage! }, { name: "web-1", host: good[0]! }], defaults);
    const { code, stdout } = await fleetwatch("check", "-c", fleet);
    expect(stdout).toMatch(/^odd-1\s+UNKNOWN.*probe_failed/m);
    expect(code).toBe(3);
  });

  it("exits 2 when a host is critical, listing the worst host first", async () => {
    const closed = await lab.closedHost();
    const fleet = writeFleetFile(lab, "crit.yaml", knownHosts, [
      { name: "a-ok", host: good[0]! },
      { name: "b-odd", host: garbage! },
      { name: "z-down", host: closed },
    ], defaults);
    const { code, stdout } = await fleetwatch("check", "-c", fleet);
    const rows = stdout.split("\n").slice(1, 4).map((line) => line.split(/\s+/)[0]);
    expect(rows).toEqual(["z-down", "b-odd", "a-ok"]);
    expect(code).toBe(2);
  });

  it("prints versioned CheckResults with --json, limited by --host", async () => {
    const fleet = writeFleetFile(lab, "json.yaml", knownHosts, [{ name: "web-1", host: good[0]! }, { name: "db-1", host: good[1]! }], defaults);
    const { code, stdout } = await fleetwatch("check", "-c", fleet, "--json", "--host", "web-*");
    const out = JSON.parse(stdout);
    expect(out.version).toBe(2);
    expect(out.hosts).toHaveLength(1);
    const result = checkResultSchema.parse(out.hosts[0]);
    expect(result.host.name).toBe("web-1");
    expect(out.summary).toMatchObject({ total: 1, ok: 1, state: "ok", concurrency: 50 });
    expect(code).toBe(0);
  });

  it("checks hosts in parallel: six silent hosts take about one deadline, not six", async () => {
    const silent = await Promise.all(Array.from({ length: 6 }, () => lab.startSilentHost()));
    const fleet = writeFleetFile(lab, "silent.yaml", knownHosts, silent.map((host, i) => ({ name: `s-${i}`, host })), silentDefaults);
    const { code, stdout } = await fleetwatch("check", "-c", fleet, "--json");
    const { summary } = JSON.parse(stdout);
    expect(summary.critical).toBe(6);
    // One after another they would take at least six 1 s deadlines.
    expect(summary.durationMs).toBeLessThan(5.5 * 1000);
    expect(code).toBe(2);
  });

  it("exits 3 with every problem listed when the config cannot be used", async () => {
    const bad = `${lab.dir}/bad.yaml`;
    writeFileSync(bad, "hosts:\n  - { address: a, port: 0 }\n  - { address: b, thresholds: { cpu: 200 } }\n");
    const { code, stderr } = await fleetwatch("check", "-c", bad);
    expect(stderr).toContain("hosts[0].port: expected a port number between 1 and 65535");
    expect(stderr).toContain("hosts[1].thresholds.cpu: expected a number between 0 and 100");
    expect(code).toBe(3);
  });

  it("exits 3 when --host matches nothing", async () => {
    const fleet = writeFleetFile(lab, "nomatch.yaml", knownHosts, [{ name: "web-1", host: good[0]! }], defaults);
    const { code, stderr } = await fleetwatch("check", "-c", fleet, "--host", "db-*");
    expect(stderr).toContain("no host");
    expect(code).toBe(3);
  });

  it("warns on every run when host keys are not verified", async () => {
    const fleet = writeFleetFile(lab, "off.yaml", knownHosts, [{ name: "web-1", host: good[0]!, extra: "ssh: { hostKeyPolicy: off }" }], defaults);
    const { stderr } = await fleetwatch("check", "-c", fleet);
    expect(stderr).toContain("WARNING: hostKeyPolicy off");
  });
});

describe("fleetwatch config validate", () => {
  it("exits 0 for a valid file", async () => {
    const fleet = writeFleetFile(lab, "valid.yaml", knownHosts, [{ name: "web-1", host: good[0]! }], defaults);
    const { code, stdout } = await fleetwatch("config", "validate", fleet);
    expect(stdout).toContain("valid — 1 host");
    expect(code).toBe(0);
  });

  it("exits 1 and lists every problem by path", async () => {
    const bad = `${lab.dir}/broken.yaml`;
    writeFileSync(bad, "defaults: { interval: soon }\nhosts:\n  - { address: a, group: nope, procs: [x] }\n  - { address: a }\n");
    const { code, stderr } = await fleetwatch("config", "validate", bad);
    expect(stderr).toContain("4 problems");
    expect(stderr).toContain("defaults.interval: expected a duration");
    expect(stderr).toContain("hosts[0].procs: unknown key");
    expect(stderr).toContain('hosts[0].group: unknown group "nope"');
    expect(stderr).toContain('hosts[1].address: duplicate host name "a"');
    expect(code).toBe(1);
  });

  it("exits 64 with usage on a bad command line", async () => {
    const { code, stderr } = await fleetwatch("check");
    expect(stderr).toContain("check needs -c FILE");
    expect(code).toBe(64);
  });
});
