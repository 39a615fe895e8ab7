import type { CheckResult, Severity } from "@fleetwatch/core";
import { formatDuration, severityRank } from "@fleetwatch/core";
import { paintState } from "./colour.js";

const pct = (n: number | undefined) => (n === undefined ? "-" : `${n.toFixed(n < 10 ? 1 : 0)}%`);

/** Worst state first, then by name, so the host to look at is on top. */
export function sortWorstFirst(results: readonly CheckResult[]): CheckResult[] {
  return [...results].sort((a, b) => severityRank(b.state) - severityRank(a.state) || a.host.name.localeCompare(b.host.name));
}

function worstDisk(result: CheckResult): string {
  const mounts = result.metrics?.mounts ?? [];
  if (mounts.length === 0) return "-";
  const worst = mounts.reduce((a, b) => (b.usedPercent > a.usedPercent ? b : a));
  return `${pct(worst.usedPercent)} ${worst.path}`;
}

/** What to read first about a host that is not ok: its reason, or its failing checks. */
function note(result: CheckResult): string {
  if (result.outcome !== "ok") return `${result.outcome}: ${result.reason ?? ""}`;
  const failing = result.checks.filter((c) => c.state !== "ok" && !c.name.startsWith("process:"));
  return failing.map((c) => c.message).join("; ");
}

export function renderResultsTable(results: readonly CheckResult[], colour: boolean): string {
  const header = ["HOST", "STATE", "CPU", "MEM", "DISK (worst)", "LOAD", "MISSING", "TIME", "NOTE"];
  const rows = sortWorstFirst(results).map((r) => {
    const m = r.metrics;
    const missing = m ? Object.entries(m.processes).filter(([, s]) => s !== "present").map(([n, s]) => (s === "unknown" ? `${n}?` : n)) : [];
    return {
      state: r.state as Severity,
      cells: [
        r.host.name,
        r.state.toUpperCase(),
        pct(m?.cpu.usedPercent ?? undefined),
        pct(m?.memory.usedPercent),
        worstDisk(r),
        m ? `${m.load.one.toFixed(2)}/${m.cores}c` : "-",
        missing.join(",") || "-",
        formatDuration(r.durationMs),
        note(r),
      ],
    };
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (i === 8 ? 0 : row.cells[i]!.length))));
  const line = (cells: string[], state?: Severity) =>
    cells
      .map((cell, i) => {
        const padded = i === cells.length - 1 ? cell : cell.padEnd(widths[i]!);
        return i === 1 && state ? paintState(padded, state, colour) : padded;
      })
      .join("  ")
      .trimEnd();
  return [line(header), ...rows.map((row) => line(row.cells, row.state))].join("\n");
}
