import type { FleetHostState, FleetQuery } from "@fleetwatch/core";
import { isFleetHostState } from "@fleetwatch/core";

/** Words of the links in DingTalk messages: `firing` is every state of a host with a firing alert. */
const STATE_ALIASES: Record<string, FleetHostState[]> = {
  firing: ["unreachable", "critical", "stale", "warning", "unknown"],
  resolved: ["ok"],
};

/** `?state=critical&state=stale&group=web&name=db-*&check=disk&page=2&size=50` → a FleetQuery; unknown states are ignored. */
export function fleetQueryOf(query: Record<string, unknown>): FleetQuery {
  const list = (v: unknown): string[] => (Array.isArray(v) ? v.map(String) : typeof v === "string" ? [v] : []).flatMap((s) => s.split(","));
  const states = list(query.state)
    .map((s) => s.trim())
    .flatMap((s) => STATE_ALIASES[s] ?? [s])
    .filter((s): s is FleetHostState => isFleetHostState(s));
  const text = (v: unknown) => (typeof v === "string" && v.trim() ? v.trim() : undefined);
  const q: FleetQuery = {};
  if (states.length > 0) q.states = [...new Set(states)];
  const group = text(query.group);
  const name = text(query.name);
  if (group) q.group = group;
  if (name) q.name = name;
  const check = text(query.check);
  if (check) q.check = check;
  const page = Number(query.page);
  const size = Number(query.size);
  if (Number.isFinite(page) && page > 0) q.page = page;
  if (Number.isFinite(size) && size > 0) q.pageSize = size;
  return q;
}
