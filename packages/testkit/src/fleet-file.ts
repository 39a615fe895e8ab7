import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Lab, LabHost } from "./lab.js";

export interface FleetFileHost {
  name: string;
  host: LabHost;
  /** Extra YAML flow-map fields for this host, e.g. `processes: [redis-server]`. */
  extra?: string;
}

/** Writes a fleet.yaml that logs in to lab hosts with the lab's client key. */
export function writeFleetFile(
  lab: Lab,
  name: string,
  knownHosts: string,
  hosts: readonly FleetFileHost[],
  defaults: string[] = [],
  topLevel: string[] = [],
): string {
  const path = join(lab.dir, name);
  const lines = [
    "defaults:",
    "  ssh:",
    `    user: ${lab.user.name}`,
    `    key: ${lab.clientKey.privatePath}`,
    `    knownHosts: ${knownHosts}`,
    ...defaults.map((line) => `  ${line}`),
    "hosts:",
    ...hosts.map(({ name: hostName, host, extra }) => `  - { name: ${hostName}, address: ${host.address}, port: ${host.port}${extra ? `, ${extra}` : ""} }`),
    ...topLevel,
  ];
  writeFileSync(path, `${lines.join("\n")}\n`);
  return path;
}
