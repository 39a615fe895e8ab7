import { accessSync, constants, statSync } from "node:fs";
import { dirname } from "node:path";
import type { ConfigIssue } from "./config-issue.js";
import { formatPath } from "./config-issue.js";
import type { FleetConfig } from "./fleet-schema.js";
import type { LoadedFleet } from "./load-fleet-config.js";

type FileField = "key" | "knownHosts";

/** Why this process cannot use `file`, or undefined when it can. */
function unreadable(file: string, wantWritableDir = false): string | undefined {
  try {
    const stat = statSync(file);
    if (!stat.isFile()) return "it is not a regular file";
    accessSync(file, constants.R_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "ENOENT" && wantWritableDir) {
      try {
        accessSync(dirname(file), constants.W_OK);
        return undefined;
      } catch {
        return `it does not exist yet and ${dirname(file)} is not writable here`;
      }
    }
    if (code === "ENOENT") return "no such file here";
    if (code === "EACCES") return `permission denied to uid ${process.getuid?.() ?? "?"}`;
    return `cannot read it (${code})`;
  }
}

/** The first place the fleet file writes this value, or where its default would go. */
function writtenAt(config: FleetConfig, field: FileField, value: string): string {
  if (config.defaults?.ssh?.[field] === value) return formatPath(["defaults", "ssh", field]);
  for (const [group, settings] of Object.entries(config.groups ?? {})) {
    if (settings.ssh?.[field] === value) return formatPath(["groups", group, "ssh", field]);
  }
  const index = config.hosts.findIndex((host) => host.ssh?.[field] === value);
  if (index >= 0) return formatPath(["hosts", index, "ssh", field]);
  return `${formatPath(["defaults", "ssh", field])} (built-in default)`;
}

/**
 * Warnings, not errors, for key and known_hosts files this process cannot read: the fleet
 * file may be validated on another machine than the one whose workers use them.
 */
export function checkReferencedFiles(fleet: LoadedFleet): ConfigIssue[] {
  const uses = new Map<string, { field: FileField; file: string; hosts: string[]; tofu: boolean }>();
  for (const host of fleet.hosts) {
    const files: [FileField, string][] = [["key", host.ssh.key]];
    if (host.ssh.hostKeyPolicy !== "off") files.push(["knownHosts", host.ssh.knownHosts]);
    for (const [field, file] of files) {
      const id = `${field}\u0000${file}`;
      const use = uses.get(id) ?? { field, file, hosts: [], tofu: true };
      use.hosts.push(host.name);
      if (field === "key" || host.ssh.hostKeyPolicy === "strict") use.tofu = false;
      uses.set(id, use);
    }
  }
  const issues: ConfigIssue[] = [];
  for (const { field, file, hosts, tofu } of uses.values()) {
    const problem = unreadable(file, tofu);
    if (!problem) continue;
    const what = field === "key" ? "private key" : "known_hosts file";
    const who = hosts.length === 1 ? `host ${hosts[0]}` : `${hosts.length} hosts (${hosts.slice(0, 3).join(", ")}${hosts.length > 3 ? ", …" : ""})`;
    issues.push({
      path: writtenAt(fleet.config, field, file),
      message: `${what} ${file}: ${problem}; ${who} cannot be checked from this machine (fine if the workers run elsewhere)`,
    });
  }
  return issues;
}
