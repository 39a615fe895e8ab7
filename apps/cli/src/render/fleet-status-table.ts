import type { HostOverview } from "@fleetwatch/core";
import { FLEET_STATE_SEVERITY, formatDuration } from "@fleetwatch/core";
import { paintState } from "./colour.js";

const pct = (n: number | undefined) => (n === undefined ? "-" : `${n.toFixed(n < 10 ? 1 : 0)}%`);

/** One line per host, worst first as given: its shared state, group, the age of its latest result, figures, and why. */
export function renderFleetStatusTable(hosts: readonly HostOverview[], colour: boolean): string {
  const header = ["HOST", "STATE", "GROUP", "AGE", "CPU", "MEM", "DISK", "LOAD", "MISSING", "NOTE"];
  const rows = hosts.map((h) => {
    const l = h.latest;
    const note = h.status.check ? `${h.status.check}: ${h.status.reason ?? ""}` : "";
    return {
      severity: FLEET_STATE_SEVERITY[h.status.state],
      cells: [
        h.name,
        h.status.state.toUpperCase(),
        h.group ?? "-",
        h.status.ageMs === undefined ? "never" : formatDuration(h.status.ageMs),
        pct(l?.cpuPercent),
        pct(l?.memoryPercent),
        pct(l?.worstDiskPercent),
        l?.load === undefined ? "-" : `${l.load.toFixed(2)}/${l.cores ?? "?"}c`,
        l && l.missingProcesses.length > 0 ? l.missingProcesses.join(",") : "-",
        note,
      ],
    };
  });
  const last = header.length - 1;
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (i === last ? 0 : row.cells[i]!.length))));
  const line = (cells: string[], severity?: HostOverviewSeverity) =>
    cells
      .map((cell, i) => {
        const padded = i === last ? cell : cell.padEnd(widths[i]!);
        return i === 1 && severity ? paintState(padded, severity, colour) : padded;
      })
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map((row) => line(row.cells, row.severity))].join("\n");
}

type HostOverviewSeverity = (typeof FLEET_STATE_SEVERITY)[keyof typeof FLEET_STATE_SEVERITY];
