import type { ConfigIssue } from "./config-issue.js";
import { formatPath } from "./config-issue.js";

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * Checks across entries that no single field's schema can: unique host and robot names,
 * known groups.
 * Runs on the raw tree so these problems are listed together with every other one.
 */
export function checkHostReferences(raw: unknown): ConfigIssue[] {
  if (!isRecord(raw) || !Array.isArray(raw.hosts)) return [];
  const groups = isRecord(raw.groups) ? raw.groups : {};
  const issues: ConfigIssue[] = [];
  const seen = new Map<string, number>();
  raw.hosts.forEach((host: unknown, index) => {
    if (!isRecord(host)) return;
    const name = typeof host.name === "string" ? host.name : typeof host.address === "string" ? host.address : undefined;
    if (name !== undefined) {
      const first = seen.get(name);
      if (first === undefined) seen.set(name, index);
      else
        issues.push({
          path: formatPath(["hosts", index, typeof host.name === "string" ? "name" : "address"]),
          message: `duplicate host name "${name}" (also hosts[${first}]); give each host a unique name`,
        });
    }
    if (typeof host.group === "string" && !Object.hasOwn(groups, host.group)) {
      issues.push({
        path: formatPath(["hosts", index, "group"]),
        message: `unknown group "${host.group}"; define it under groups`,
      });
    }
  });
  const notify = isRecord(raw.notify) ? raw.notify : {};
  const robots = Array.isArray(notify.dingtalk) ? notify.dingtalk : [];
  const robotNames = new Set<string>();
  robots.forEach((robot: unknown, index) => {
    if (!isRecord(robot) || typeof robot.name !== "string") return;
    if (robotNames.has(robot.name)) {
      issues.push({ path: formatPath(["notify", "dingtalk", index, "name"]), message: `duplicate robot name "${robot.name}"` });
    }
    robotNames.add(robot.name);
  });
  return issues;
}
