import { describe, expect, it } from "vitest";
import { parseFleetConfig } from "./load-fleet-config.js";

const issuesOf = (text: string) => {
  const result = parseFleetConfig(text, "fleet.yaml", { env: {} });
  if (result.ok) throw new Error("expected the config to be refused");
  return result.error.map((i) => `${i.path}: ${i.message}`);
};

describe("unknown keys", () => {
  it("says `notify` belongs at the top level when it is written under defaults", () => {
    const issues = issuesOf("defaults:\n  notify: { dingtalk: [{ name: ops, webhook: '${HOOK}' }] }\nhosts: [{ address: a }]");
    expect(issues).toEqual(["defaults.notify: `notify` belongs at the top level, not here"]);
  });

  it("says where an ssh or threshold key written one level too high belongs", () => {
    const issues = issuesOf("defaults: { user: monitor, cpu: 80 }\nhosts: [{ address: a }]");
    expect(issues).toEqual(["defaults.user: `user` belongs under `ssh`, not here", "defaults.cpu: `cpu` belongs under `thresholds`, not here"]);
  });

  it("names the nearest valid key for a misspelling, at every level", () => {
    const issues = issuesOf(`
defaults:
  thresolds: { cpu: 80 }
  ssh: { knownhosts: /etc/kh, uesr: monitor }
groups:
  web: { intreval: 30s }
hosts:
  - { adress: 10.0.0.1 }
  - { address: a, groups: web, thresholds: { disk: { warn: 80 } } }
notify:
  groupwait: 30s
  dingtalk: [{ name: ops, webhok: x }]
`);
    expect(issues).toEqual(
      expect.arrayContaining([
        "defaults.thresolds: unknown key; did you mean `thresholds`?",
        "defaults.ssh.knownhosts: unknown key; did you mean `knownHosts`?",
        "defaults.ssh.uesr: unknown key; did you mean `user`?",
        "groups.web.intreval: unknown key; did you mean `interval`?",
        "hosts[0].adress: unknown key; did you mean `address`?",
        "hosts[1].groups: unknown key; did you mean `group`?",
        "hosts[1].thresholds.disk.warn: unknown key; did you mean `warning`?",
        "notify.groupwait: unknown key; did you mean `groupWait`?",
        "notify.dingtalk[0].webhok: unknown key; did you mean `webhook`?",
      ]),
    );
  });

  it("lists the valid keys when nothing is close", () => {
    expect(issuesOf("worker: { banana: 1 }\nhosts: [{ address: a }]")).toEqual([expect.stringMatching(/^worker\.banana: unknown key; valid here: (\w+, )*concurrency\b/)]);
  });
});
