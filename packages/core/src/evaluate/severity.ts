export const SEVERITIES = ["ok", "warning", "critical", "unknown"] as const;
export type Severity = (typeof SEVERITIES)[number];

/** critical > warning > unknown > ok: what a person must look at first. */
const RANK: Record<Severity, number> = { ok: 0, unknown: 1, warning: 2, critical: 3 };

export const severityRank = (s: Severity): number => RANK[s];

export function worstSeverity(states: Iterable<Severity>): Severity {
  let worst: Severity = "ok";
  for (const state of states) if (RANK[state] > RANK[worst]) worst = state;
  return worst;
}

/** Nagios plugin exit codes. */
export const NAGIOS_EXIT: Record<Severity, number> = { ok: 0, warning: 1, critical: 2, unknown: 3 };
