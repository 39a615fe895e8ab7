import { describe, expect, it } from "vitest";
import { parseFleetConfig } from "./load-fleet-config.js";
import { robotCoverageWarnings } from "./robot-coverage.js";

const warningsFor = (yaml: string) => {
  const loaded = parseFleetConfig(yaml, "fleet.yaml", { env: {} });
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return robotCoverageWarnings(loaded.value.config);
};

describe("robotCoverageWarnings", () => {
  it("warns when no robot is configured", () => {
    expect(warningsFor("hosts: [{ address: a }]")).toEqual([expect.stringContaining("no DingTalk robot is configured")]);
  });

  it("says nothing when a robot hears every group", () => {
    expect(warningsFor("hosts: [{ address: a }]\nnotify: { dingtalk: [{ name: ops, webhook: '${H}' }] }")).toEqual([]);
  });

  it("names each group, and the ungrouped hosts, that no robot's route reaches", () => {
    const yaml = `
groups: { web: {}, db: {} }
hosts:
  - { address: a, group: web }
  - { address: b, group: db }
  - { address: c }
notify:
  dingtalk:
    - { name: web-team, webhook: '\${H}', route: { groups: [web, cache] } }
`;
    expect(warningsFor(yaml)).toEqual([
      'robot web-team routes group "cache", which is not defined under groups',
      'group "db" reaches no robot: add it to a robot\'s route.groups, or add a robot without route.groups',
      expect.stringMatching(/^1 host\(s\) in no group reach no robot/),
    ]);
  });
});
