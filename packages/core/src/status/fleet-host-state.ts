/**
 * The one state of a host that the dashboard and `fleetwatch status` show, in precedence
 * order: the first that applies wins (see `fleetHostStatus`). Not to be confused with a
 * single result's own severity (`hostState` in evaluate/).
 */
export const FLEET_HOST_STATES = ["silenced", "stale", "unreachable", "critical", "warning", "unknown", "pending", "ok"] as const;
export type FleetHostState = (typeof FLEET_HOST_STATES)[number];

/** Worst first, for sorting a list: what needs a person now comes before what is muted or fine. */
const DISPLAY_RANK: Record<FleetHostState, number> = {
  unreachable: 0,
  critical: 1,
  stale: 2,
  warning: 3,
  unknown: 4,
  pending: 5,
  silenced: 6,
  ok: 7,
};

export const fleetHostStateRank = (state: FleetHostState): number => DISPLAY_RANK[state];

export const isFleetHostState = (value: string): value is FleetHostState => (FLEET_HOST_STATES as readonly string[]).includes(value);

/** The state as a Nagios severity, for exit codes and colours: soft (pending) and muted (silenced) states count as ok. */
export const FLEET_STATE_SEVERITY: Record<FleetHostState, "ok" | "warning" | "critical" | "unknown"> = {
  unreachable: "critical",
  critical: "critical",
  warning: "warning",
  stale: "unknown",
  unknown: "unknown",
  pending: "ok",
  silenced: "ok",
  ok: "ok",
};
