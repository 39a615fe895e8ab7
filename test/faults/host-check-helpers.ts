import { readdirSync } from "node:fs";
import type { ResolvedHost } from "@fleetwatch/core";
import { parseFleetConfig } from "@fleetwatch/core";
import type { Lab, LabHost } from "@fleetwatch/testkit";
import { waitFor } from "@fleetwatch/testkit";
import { expect } from "vitest";

/** Short stage deadlines, so a misbehaving host costs seconds, not the defaults' minutes. */
export const TIMEOUTS = { connectTimeout: "2s", handshakeTimeout: "2s", commandTimeout: "2s" };
/** A check's own deadline: connect, handshake and command, plus a margin for a loaded 2-core machine. */
export const DEADLINE_MS = 2_000 * 3 + 4_000;

/** Builds a host through the real config loader, as a user's fleet.yaml would. */
export function hostFor(lab: Lab, knownHosts: string, target: LabHost): ResolvedHost {
  const settings = { user: lab.user.name, key: lab.clientKey.privatePath, knownHosts, ...TIMEOUTS };
  const sshYaml = Object.entries(settings).map(([k, v]) => `${k}: "${v}"`).join(", ");
  const yaml = `defaults: { thresholds: { cpu: {}, load: {} } }\nhosts:\n  - { address: ${target.address}, port: ${target.port}, ssh: { ${sshYaml} } }\n`;
  const loaded = parseFleetConfig(yaml, "faults.yaml");
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return loaded.value.hosts[0]!;
}

/** When a lab host ran its probe (whole seconds, from the sshd side's command log). */
export const probeRuns = (lab: Lab, host: LabHost): number[] =>
  lab
    .commandLog(host.address)
    .split("\n")
    .filter(Boolean)
    .map((line) => Number(line.split(" ")[0]));

export const openFds = () => readdirSync("/proc/self/fd").length;
/** Handles keeping the event loop alive, by kind (sockets, timers, child processes). */
export const activeHandles = () => process.getActiveResourcesInfo().filter((kind) => kind !== "TTYWrap").length;

/** Waits (generously: sockets and timers close asynchronously) for fds and handles to come back to a baseline. */
export async function settledResources(before: { fds: number; handles: number }, slack = 2): Promise<{ fds: number; handles: number }> {
  const now = () => ({ fds: openFds(), handles: activeHandles() });
  return waitFor(
    "fds and handles back to where they were",
    () => {
      const current = now();
      return current.fds <= before.fds + slack && current.handles <= before.handles + slack ? current : undefined;
    },
    60_000,
  ).catch(() => now());
}

/** No fd or handle left behind by the checks (within the slack `settledResources` waited for). */
export function expectResourcesBack(before: { fds: number; handles: number }, settled: { fds: number; handles: number }): void {
  expect(settled.fds, "open fds after the checks").toBeLessThanOrEqual(before.fds + 2);
  expect(settled.handles, "active handles after the checks").toBeLessThanOrEqual(before.handles + 2);
}

/** "fds 40→41, handles 12→12", for a scenario's notes. */
export const resourcesNote = (before: { fds: number; handles: number }, settled: { fds: number; handles: number }): string =>
  `fds ${before.fds}→${settled.fds}, handles ${before.handles}→${settled.handles}`;

/** "12 ok, 3 ssh_timeout" */
export function tally(outcomes: string[]): string {
  return [...new Set(outcomes)].map((o) => `${outcomes.filter((x) => x === o).length} ${o}`).join(", ");
}
