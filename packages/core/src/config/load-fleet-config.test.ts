import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadFleetConfig, parseFleetConfig } from "./load-fleet-config.js";

const EXAMPLE = `
defaults:
  ssh: { user: monitor, port: 22, key: /etc/fleetwatch/id_ed25519, passphrase: \${KEY_PASS},
         knownHosts: /etc/fleetwatch/known_hosts, hostKeyPolicy: strict,
         connectTimeout: 5s, commandTimeout: 20s }
  interval: 60s
  thresholds:
    cpu: 85
    memory: 90
    swap: { warning: 50, critical: 80 }
    load: { warning: 1.5, critical: 3 }
    disk: 95
    inodes: 95
    mounts: { /var/lib/mysql: { disk: { warning: 75, critical: 85 } } }
  processes: [sshd]
  mounts: auto
groups:
  k8s-nodes: { processes: [kubelet, containerd, kube-proxy] }
hosts:
  - { name: web-1, address: 10.0.1.101, group: k8s-nodes }
  - { address: 2001:db8::7, port: 2222, thresholds: { disk: 80 } }
`;

const parse = (text: string, env: Record<string, string> = {}) => parseFleetConfig(text, "fleet.yaml", { env });
const issuesOf = (text: string, env: Record<string, string> = {}) => {
  const result = parse(text, env);
  if (result.ok) throw new Error("expected the config to be refused");
  return result.error;
};

describe("fleet config", () => {
  it("accepts the documented example and merges defaults → group → host", () => {
    const result = parse(EXAMPLE);
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    const [web, v6] = result.value.hosts;
    expect(web).toMatchObject({
      name: "web-1",
      address: "10.0.1.101",
      group: "k8s-nodes",
      processes: ["kubelet", "containerd", "kube-proxy"],
      intervalMs: 60_000,
      ssh: { user: "monitor", port: 22, passphrase: "${KEY_PASS}", connectTimeoutMs: 5_000, commandTimeoutMs: 20_000, handshakeTimeoutMs: 10_000 },
    });
    expect(web!.thresholds.mounts["/var/lib/mysql"]).toEqual({ disk: { warning: 75, critical: 85 } });
    expect(v6).toMatchObject({ name: "2001:db8::7", ssh: { port: 2222 }, processes: ["sshd"] });
    expect(v6!.thresholds.disk).toEqual({ critical: 80 });
    expect(v6!.thresholds.swap).toEqual({ warning: 50, critical: 80 });
  });

  it("fills every field from the built-in defaults", () => {
    const result = parse("hosts: [{ address: db.example.com }]");
    if (!result.ok) throw new Error(JSON.stringify(result.error));
    expect(result.value.hosts[0]).toMatchObject({
      name: "db.example.com",
      ssh: { user: "monitor", port: 22, key: "/etc/fleetwatch/id_ed25519", hostKeyPolicy: "strict" },
      thresholds: { cpu: { critical: 85 }, memory: { critical: 90 }, disk: { critical: 95 } },
      mounts: "auto",
      processes: [],
    });
  });

  it("lists every problem with the path of the bad field", () => {
    const issues = issuesOf(`
defaults:
  interval: 60
  ssh: { port: 70000, hostKeyPolicy: maybe, colour: blue }
hosts:
  - { address: 10.0.0.1 }
  - { address: 10.0.0.2, group: nope }
  - { address: 10.0.0.1 }
  - { address: 10.0.0.4, thresholds: { disk: { critical: 120 } }, processes: ["ng inx;rm -rf /"] }
  - { address: "not an address!", mounts: [var/log] }
`);
    const paths = issues.map((i) => `${i.path}: ${i.message}`);
    expect(paths).toEqual(
      expect.arrayContaining([
        "defaults.interval: expected a duration like 500ms, 30s, 10m or 4h",
        "defaults.ssh.port: expected a port number between 1 and 65535",
        expect.stringMatching(/^defaults\.ssh\.hostKeyPolicy: expected strict, tofu or off/),
        expect.stringMatching(/^defaults\.ssh\.colour: unknown key; valid here: user, port, key/),
        'hosts[1].group: unknown group "nope"; define it under groups',
        expect.stringMatching(/^hosts\[2\]\.address: duplicate host name "10\.0\.0\.1"/),
        "hosts[3].thresholds.disk.critical: expected a number between 0 and 100",
        expect.stringMatching(/^hosts\[3\]\.processes\[0\]: process names may use/),
        expect.stringMatching(/^hosts\[4\]\.address: expected an IPv4 or IPv6 address/),
        expect.stringMatching(/^hosts\[4\]\.mounts\[0\]: mount paths must be absolute/),
      ]),
    );
    expect(issues).toHaveLength(10);
  });

  it("explains a threshold that is neither a number nor a pair", () => {
    const issues = issuesOf("hosts: [{ address: a, thresholds: { cpu: high } }]");
    expect(issues).toEqual([
      { path: "hosts[0].thresholds.cpu", message: "expected a number between 0 and 100 (the critical level) or { warning, critical }" },
    ]);
  });

  it("refuses a warning level above the critical one", () => {
    const issues = issuesOf("hosts: [{ address: a, thresholds: { memory: { warning: 95, critical: 90 } } }]");
    expect(issues).toEqual([{ path: "hosts[0].thresholds.memory.warning", message: "warning must not be above critical" }]);
  });

  it("interpolates ${VAR} and ${file:/path} in string fields", () => {
    const dir = mkdtempSync(join(tmpdir(), "fw-config-"));
    writeFileSync(join(dir, "user"), "svc-monitor\n");
    const result = parse(`defaults: { ssh: { key: "\${KEY_DIR}/id", user: "\${file:${dir}/user}" } }\nhosts: [{ address: a }]`, {
      KEY_DIR: "/keys",
    });
    expect(result.ok && result.value.hosts[0]!.ssh).toMatchObject({ key: "/keys/id", user: "svc-monitor" });
  });

  it("reports an unset variable and an unreadable secret file at their paths", () => {
    const issues = issuesOf(`defaults: { ssh: { key: "\${NOPE}" } }\nhosts: [{ address: a, ssh: { user: "\${file:/no/such/file}" } }]`);
    expect(issues.map((i) => i.path)).toEqual(["defaults.ssh.key", "hosts[0].ssh.user"]);
    expect(issues[0]!.message).toContain("environment variable NOPE is not set");
    expect(issues[1]!.message).toContain("cannot read secret file /no/such/file");
  });

  it("does not allow a reference in a number field", () => {
    const issues = issuesOf(`hosts: [{ address: a, port: "\${PORT}" }]`, { PORT: "22" });
    expect(issues).toEqual([{ path: "hosts[0].port", message: "expected a port number between 1 and 65535" }]);
  });

  it("keeps a passphrase as a reference and refuses one written in clear", () => {
    const kept = parse("hosts: [{ address: a, ssh: { passphrase: \"${KEY_PASS}\" } }]");
    expect(kept.ok && kept.value.hosts[0]!.ssh.passphrase).toBe("${KEY_PASS}");
    const issues = issuesOf("hosts: [{ address: a, ssh: { passphrase: hunter2 } }]");
    expect(issues[0]).toMatchObject({ path: "hosts[0].ssh.passphrase" });
    expect(JSON.stringify(issues)).not.toContain("hunter2");
  });

  it("checks that secret references resolve when asked to", () => {
    const result = parseFleetConfig("hosts: [{ address: a, ssh: { passphrase: \"${KEY_PASS}\" } }]", "f", {
      env: {},
      resolveSecrets: true,
    });
    expect(!result.ok && result.error[0]).toMatchObject({ path: "hosts[0].ssh.passphrase" });
  });

  it("reports YAML syntax errors and an empty file", () => {
    expect(issuesOf("hosts: [ { address: a ")[0]!.message).toMatch(/^YAML: /);
    expect(issuesOf("")[0]!.message).toContain("empty");
  });

  it("says how to fix a missing file", () => {
    const result = loadFleetConfig("/no/such/fleet.yaml");
    expect(!result.ok && result.error[0]!.message).toContain("no such file");
  });
});
