import type { Redis } from "ioredis";
import type { HostAlerts } from "../alerting/alert-state.js";
import type { Silence } from "../alerting/silence.js";
import type { HistoryEntry } from "../history/history-entry.js";
import { readRecentHistory } from "../history/history-reader.js";
import { AlertStore } from "../pipeline/alert-store.js";
import type { FleetMember } from "./fleet-members.js";
import { readFleetMembers } from "./fleet-members.js";
import type { FleetHostStatus } from "./fleet-host-status.js";
import { fleetHostStatus } from "./fleet-host-status.js";

/** One host as a fleet list shows it: its state, its newest figures and a strip of recent states. */
export interface HostOverview {
  name: string;
  group?: string;
  status: FleetHostStatus;
  /** Newest history entry (the latest result's figures). */
  latest?: HistoryEntry;
  /** Newest first: the two newest (for the interval) until `withRecentHistory` reads a page's strips. */
  recent: HistoryEntry[];
  alerts?: HostAlerts;
}

export interface FleetOverview {
  hosts: HostOverview[];
  silences: Silence[];
  now: number;
}

export interface FleetOverviewOptions {
  now: number;
  staleAfter: number;
  /** Used when neither membership nor alert state says a host's interval. */
  defaultIntervalMs: number;
  /** How many recent results per host to read for every host. @defaultValue 2 (the latest and the interval) */
  recent?: number;
}

/** A host's interval from what is known of it, best source first; the spacing of its history as a last resort. */
function intervalOf(member: FleetMember, alerts: HostAlerts | undefined, recent: readonly HistoryEntry[], fallback: number): number {
  if (member.intervalMs) return member.intervalMs;
  if (alerts?.intervalMs) return alerts.intervalMs;
  const [a, b] = recent;
  if (a && b && a.at > b.at) return a.at - b.at;
  return fallback;
}

/** Joins membership, history, alert state and silences into one judged row per host (a few round trips, whatever the fleet size). */
export function judgeFleet(members: readonly FleetMember[], recent: ReadonlyMap<string, HistoryEntry[]>, alerts: ReadonlyMap<string, HostAlerts>, silences: readonly Silence[], options: FleetOverviewOptions): HostOverview[] {
  return members.map((member) => {
    const entries = recent.get(member.name) ?? [];
    const latest = entries[0];
    const hostAlerts = alerts.get(member.name);
    const status = fleetHostStatus({
      host: member.name,
      ...(latest ? { latest: { at: latest.at, state: latest.state, outcome: latest.outcome } } : {}),
      ...(hostAlerts ? { alerts: hostAlerts } : {}),
      silences,
      now: options.now,
      intervalMs: intervalOf(member, hostAlerts, entries, options.defaultIntervalMs),
      staleAfter: options.staleAfter,
    });
    const row: HostOverview = { name: member.name, status, recent: entries };
    const group = member.group ?? hostAlerts?.group;
    if (group !== undefined) row.group = group;
    if (latest) row.latest = latest;
    if (hostAlerts) row.alerts = hostAlerts;
    return row;
  });
}

/** Reads and judges the whole fleet: membership, the recent history of every host, the alert state of hosts with alerts, silences. */
export async function readFleetOverview(redis: Redis, options: FleetOverviewOptions): Promise<FleetOverview> {
  const store = new AlertStore(redis);
  const members = await readFleetMembers(redis);
  const [recent, active, silences] = await Promise.all([
    readRecentHistory(
      redis,
      members.map((m) => m.name),
      options.recent ?? 2,
    ),
    store.activeHosts().then((hosts) => store.loadMany(hosts)),
    store.silences(),
  ]);
  const alerts = new Map(active.map((h) => [h.host, h]));
  return { hosts: judgeFleet(members, recent, alerts, silences, options), silences, now: options.now };
}

/** The newest `count` history entries of just these hosts (one page of a list), in one round trip. */
export async function withRecentHistory(redis: Redis, hosts: readonly HostOverview[], count: number): Promise<HostOverview[]> {
  const recent = await readRecentHistory(
    redis,
    hosts.map((h) => h.name),
    count,
  );
  return hosts.map((h) => ({ ...h, recent: recent.get(h.name) ?? h.recent }));
}
