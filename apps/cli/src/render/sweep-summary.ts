import type { CheckResult, Severity } from "@fleetwatch/core";
import { formatDuration, SEVERITIES, worstSeverity } from "@fleetwatch/core";

export interface SweepSummary {
  total: number;
  ok: number;
  warning: number;
  critical: number;
  unknown: number;
  /** The worst host's state: what the exit code says. */
  state: Severity;
  durationMs: number;
  concurrency: number;
}

export function summarise(results: readonly CheckResult[], durationMs: number, concurrency: number): SweepSummary {
  const counts = Object.fromEntries(SEVERITIES.map((s) => [s, results.filter((r) => r.state === s).length])) as Record<Severity, number>;
  return { total: results.length, ...counts, state: worstSeverity(results.map((r) => r.state)), durationMs, concurrency };
}

export function renderSummary(summary: SweepSummary): string {
  const { total, ok, warning, critical, unknown } = summary;
  return `${total} host${total === 1 ? "" : "s"}: ${critical} critical, ${warning} warning, ${unknown} unknown, ${ok} ok — ${summary.state.toUpperCase()} in ${formatDuration(summary.durationMs)} (concurrency ${summary.concurrency})`;
}
