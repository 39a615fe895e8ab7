import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { appEntry } from "@fleetwatch/testkit";
import { runCli } from "./cli-process.js";

const dir = mkdtempSync(join(tmpdir(), "fw-validate-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe("fleetwatch config validate, files the fleet file names", () => {
  it("warns about a missing key file and an unreadable known_hosts, and still exits 0", async () => {
    mkdirSync(join(dir, "kh-is-a-dir"));
    writeFileSync(join(dir, "key"), "not really a key\n");
    const fleet = join(dir, "fleet.yaml");
    writeFileSync(
      fleet,
      [
        "defaults:",
        `  ssh: { key: ${dir}/missing_key, knownHosts: ${dir}/kh-is-a-dir }`,
        "groups:",
        `  db: { ssh: { key: ${dir}/key } }`,
        "hosts:",
        "  - { name: web-1, address: 10.0.0.1 }",
        "  - { name: web-2, address: 10.0.0.2 }",
        "  - { name: db-1, address: 10.0.0.3, group: db }",
      ].join("\n"),
    );
    const { code, stdout, stderr } = await runCli(["config", "validate", fleet]);
    expect(stdout).toContain("valid — 3 hosts");
    expect(stderr).toContain(`warning: defaults.ssh.key: private key ${dir}/missing_key: no such file here; 2 hosts (web-1, web-2)`);
    expect(stderr).toContain(`warning: defaults.ssh.knownHosts: known_hosts file ${dir}/kh-is-a-dir: it is not a regular file`);
    expect(stderr).not.toContain(`${dir}/key:`);
    expect(code).toBe(0);
  });

  it("names the built-in default when the fleet file sets no key", async () => {
    const fleet = join(dir, "defaulted.yaml");
    writeFileSync(fleet, `defaults: { ssh: { knownHosts: ${dir}/kh, hostKeyPolicy: tofu } }\nhosts: [{ address: 10.0.0.9 }]\n`);
    const { code, stderr } = await runCli(["config", "validate", fleet]);
    // tofu writes the known_hosts file: a missing one in a writable directory is fine.
    expect(stderr).not.toContain("knownHosts");
    if (!existsSync("/etc/fleetwatch/id_ed25519")) expect(stderr).toMatch(/warning: defaults\.ssh\.key \(built-in default\): private key \/etc\/fleetwatch\/id_ed25519/);
    expect(code).toBe(0);
  });
});

describe("fleetwatch silence add, fleet-wide", () => {
  it("refuses to mute every check of every host without --all, before touching Redis", async () => {
    const { code, stderr } = await runCli(["silence", "add", "--for", "1h", "--reason", "deploy"], { REDIS_URL: "redis://127.0.0.1:1" });
    expect(stderr).toContain("matches every check of every host");
    expect(stderr).toContain("--all");
    expect(code).toBe(64);
  });
});

describe("hostile fleet files, from the command line", () => {
  const hostile = (name: string) => fileURLToPath(new URL(`../packages/core/src/config/fixtures/hostile/${name}`, import.meta.url));

  it.each([
    ["30-alias-bomb.yaml", "hosts: YAML aliases expand too far"],
    ["32-invalid-utf8.yaml", "not valid UTF-8 at line 2"],
    ["15-process-name-command-list.yaml", "defaults.processes[0]: process names may use"],
  ])("fleetwatch check refuses %s and checks nothing", async (file, message) => {
    const { code, stdout, stderr } = await runCli(["check", "-c", hostile(file)]);
    expect(stderr).toContain(message);
    expect(stdout).toBe("");
    expect(code).toBe(3);
  });

  it("a pipeline app refuses a hostile file and exits 2 before touching Redis", async () => {
    const child = spawn(process.execPath, [appEntry("scheduler"), "--config", hostile("22-address-command-list.yaml")], {
      env: { ...process.env, REDIS_URL: "redis://127.0.0.1:1" },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    child.stdout.on("data", (c) => (out += c));
    child.stderr.on("data", (c) => (out += c));
    const code = await new Promise((resolve) => child.once("close", resolve));
    expect(out).toContain("hosts[0].address");
    expect(out).not.toMatch(/ECONNREFUSED|redis connection/i);
    expect(code).toBe(2);
  });
});
