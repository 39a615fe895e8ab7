import { globMatcher } from "../util/glob.js";
import type { FleetHostState } from "./fleet-host-state.js";
import { FLEET_HOST_STATES, fleetHostStateRank } from "./fleet-host-state.js";
import type { HostOverview } from "./fleet-overview.js";

/** What a list of the fleet is narrowed to. Every field is optional: none means all. */
export interface FleetQuery {
  states?: readonly FleetHostState[];
  group?: string;
  /** A name pattern: `web-*`, or plain text matched anywhere in the name. */
  name?: string;
  /** Hosts with an open (pending or firing) alert on this check or check family (`disk` matches `disk:/var`). */
  check?: string;
  /** 1-based. @defaultValue 1 */
  page?: number;
  /** @defaultValue 100 */
  pageSize?: number;
}

export interface FleetPage {
  hosts: HostOverview[];
  /** Hosts per state over the whole fleet (not the filtered list): the counts at the top. */
  counts: Record<FleetHostState, number>;
  /** Hosts that match the filters, on all pages. */
  matching: number;
  page: number;
  pages: number;
  pageSize: number;
  groups: string[];
}

export const MAX_PAGE_SIZE = 200;

const nameMatcher = (pattern: string): ((name: string) => boolean) => {
  if (/[*?,]/.test(pattern)) return globMatcher(pattern);
  const needle = pattern.toLowerCase();
  return (name) => name.toLowerCase().includes(needle);
};

/** Worst first, then by name: what needs a person comes first. */
export const worstFirst = (a: HostOverview, b: HostOverview): number =>
  fleetHostStateRank(a.status.state) - fleetHostStateRank(b.status.state) || a.name.localeCompare(b.name);

/** Hosts per state. */
export function countStates(hosts: readonly HostOverview[]): Record<FleetHostState, number> {
  const counts = Object.fromEntries(FLEET_HOST_STATES.map((s) => [s, 0])) as Record<FleetHostState, number>;
  for (const h of hosts) counts[h.status.state]++;
  return counts;
}

/** The hosts that match the filters (states, group, name), worst first. Pure. */
export function filterFleet(hosts: readonly HostOverview[], query: Pick<FleetQuery, "states" | "group" | "name" | "check">): HostOverview[] {
  const states = query.states && query.states.length > 0 ? new Set(query.states) : undefined;
  const name = query.name?.trim() ? nameMatcher(query.name.trim()) : undefined;
  const group = query.group?.trim() || undefined;
  const check = query.check?.trim() || undefined;
  const hasCheck = (h: HostOverview) => Object.values(h.alerts?.alerts ?? {}).some((a) => a.status !== "resolved" && (a.check === check || a.check.startsWith(`${check}:`)));
  return hosts
    .filter((h) => (!states || states.has(h.status.state)) && (!group || h.group === group) && (!name || name(h.name)) && (!check || hasCheck(h)))
    .sort(worstFirst);
}

/** Filters, sorts worst first and cuts one page. Pure. */
export function queryFleet(hosts: readonly HostOverview[], query: FleetQuery): FleetPage {
  const counts = countStates(hosts);
  const groups = [...new Set(hosts.flatMap((h) => (h.group === undefined ? [] : [h.group])))].sort();
  const matching = filterFleet(hosts, query);
  const pageSize = Math.min(MAX_PAGE_SIZE, Math.max(1, Math.floor(query.pageSize ?? 100)));
  const pages = Math.max(1, Math.ceil(matching.length / pageSize));
  const page = Math.min(pages, Math.max(1, Math.floor(query.page ?? 1)));
  return { hosts: matching.slice((page - 1) * pageSize, page * pageSize), counts, matching: matching.length, page, pages, pageSize, groups };
}
