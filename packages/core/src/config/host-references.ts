import type { ConfigIssue } from "./config-issue.js";
import { formatPath } from "./config-issue.js";

const isRecord = (value: unknown): value is Record<string, unknown> =>
  value !== null && typeof value === "object" && !Array.isArray(value);

/**
 * Checks across hosts that no single field's schema can: unique names and known groups.
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
  return issues;
}
