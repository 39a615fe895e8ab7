import type { CheckItem } from "../evaluate/check-item.js";
import { unjudgedChecks } from "../evaluate/evaluate-metrics.js";
import { STAGE_CHECK } from "../evaluate/host-state.js";
import type { ResultJob } from "../pipeline/job-schemas.js";
import type { Alert, HostAlerts } from "./alert-state.js";
import { HOST_ALERTS_FORMAT } from "./alert-state.js";

/** Checks about reaching the host at all; every other check is about its resources. */
export const STAGE_CHECKS: ReadonlySet<string> = new Set([...Object.values(STAGE_CHECK), "stale"]);

type ResultOf = Extract<ResultJob, { kind: "result" }>;

/** A robot was (or is about to be) told this alert fires: it is owed a RESOLVED when it stops. */
export const isTold = (alert: Alert): boolean => Object.keys(alert.decided).length > 0 || Object.keys(alert.delivered).length > 0;

const SEVERITY_RANK = { warning: 1, critical: 2 } as const;

/**
 * An alert's next epoch: the (Redis) time of the change, and always above the last one, so a
 * (host, check) never reuses an epoch, even after it was forgotten and fires again.
 */
export const nextEpoch = (previous: number | undefined, now: number): number => Math.max(now, (previous ?? 0) + 1);

/** A non-ok observation moves an alert towards firing; an ok one resolves or forgets it. */
function observe(alert: Alert | undefined, item: CheckItem, forCount: number, now: number): Alert | undefined {
  if (item.state === "ok") {
    if (!alert) return undefined;
    if (alert.status === "resolved") return alert;
    // A pending run that inherited a robot's "told" marker (it flapped) still owes that robot its RESOLVED.
    if (alert.status === "firing" || isTold(alert)) return { ...alert, status: "resolved", resolvedAt: now, count: 0, epoch: nextEpoch(alert.epoch, now), message: item.message, ...valueOf(item) };
    return undefined;
  }
  const severity = item.state === "critical" ? "critical" : "warning";
  const streak = alert && alert.status !== "resolved" ? alert : undefined;
  const count = (streak?.count ?? 0) + 1;
  const firing = count >= forCount;
  const wasFiring = alert?.status === "firing";
  // The epoch moves when the alert starts firing or escalates: what a message reports it at.
  const escalated = wasFiring && SEVERITY_RANK[severity] > SEVERITY_RANK[alert.severity];
  const epoch = (firing && !wasFiring) || escalated ? nextEpoch(alert?.epoch, now) : (alert?.epoch ?? 0);
  const next: Alert = {
    check: item.name,
    status: firing ? "firing" : "pending",
    severity,
    count,
    since: streak?.since ?? now,
    message: item.message,
    epoch,
    decided: alert?.decided ?? {},
    delivered: alert?.delivered ?? {},
    ...valueOf(item),
  };
  if (item.state === "unknown") next.unknown = true;
  if (firing) next.firingSince = streak?.firingSince ?? now;
  return next;
}

/** The measured value, its unit and the levels it was judged against, for messages. */
const valueOf = (item: CheckItem): Pick<Alert, "value" | "unit" | "threshold"> => ({
  ...(item.value === undefined ? {} : { value: item.value }),
  ...(item.unit === undefined ? {} : { unit: item.unit }),
  ...(item.threshold === undefined ? {} : { threshold: item.threshold }),
});

/** Stages of a check, in the order they happen. */
const STAGE_ORDER: readonly string[] = ["reachability", "ssh", "probe"];

const failure = (name: string, reason: string | undefined): CheckItem => ({ name, state: "critical", message: reason ?? name });

/** A check that is no longer reported (config changed) is judged ok. */
const passed = (name: string): CheckItem => ({ name, state: "ok", message: `${name}: no longer checked` });

export interface ApplyOptions {
  /**
   * The host could be reached but the monitor could not judge it (a fault on the monitor's
   * side, raised as a pipeline alert): the result counts as news (no staleness), and every
   * alert of the host keeps its state.
   */
  freeze?: boolean;
}

export type Applied =
  | { state: HostAlerts; applied: true }
  | { state: HostAlerts | undefined; applied: false; why: "older" | "removed"; slotStart: number; lastSlotStart?: number };

/**
 * Applies one check result to a host's alerts. Results are ordered by their slot's start
 * time: an older or repeated slot is dropped, and so is a check scheduled before the host
 * was removed. When the host could not be checked, only its stage alert (reachability,
 * ssh, probe) moves; resource and process alerts freeze until it can be checked again.
 */
export function applyResult(stored: HostAlerts | undefined, job: ResultOf, now: number, options: ApplyOptions = {}): Applied {
  let current = stored;
  if (current?.removed) {
    // A check scheduled before the removal says nothing; one scheduled after it means the host is back.
    const before =
      job.generation !== undefined && current.removedGeneration !== undefined
        ? job.generation < current.removedGeneration
        : job.slotStart < (current.removedAt ?? Infinity);
    if (before) return { state: current, applied: false, why: "removed", slotStart: job.slotStart };
    // Back again: what is still owed a RESOLVED stays; the rest starts afresh.
    const owed = Object.fromEntries(Object.entries(current.alerts).filter(([, a]) => a.status === "resolved" && isTold(a)));
    current = { ...current, alerts: owed, lastSlotStart: Number.MIN_SAFE_INTEGER };
  } else if (current && job.slotStart <= current.lastSlotStart) {
    return { state: current, applied: false, why: "older", slotStart: job.slotStart, lastSlotStart: current.lastSlotStart };
  }
  const { result } = job;
  const alerts: Record<string, Alert> = { ...(current?.alerts ?? {}) };
  const set = (name: string, alert: Alert | undefined) => {
    if (alert) alerts[name] = alert;
    else delete alerts[name];
  };
  const reported = new Map(result.checks.map((item) => [item.name, item]));
  if (options.freeze) {
    set("stale", observe(alerts.stale, passed("stale"), job.for, now));
  } else if (result.outcome === "ok") {
    // What the check could not judge this time (CPU on a host's first pipeline check) keeps its state.
    const unjudged = new Set(unjudgedChecks(result.metrics));
    for (const name of new Set([...Object.keys(alerts), ...reported.keys()])) {
      if (unjudged.has(name)) continue;
      set(name, observe(alerts[name], reported.get(name) ?? passed(name), job.for, now));
    }
  } else {
    // Stages before the failed one passed; the failed one moves; stages after it and every
    // resource cannot be judged now, so they keep their state.
    const failed = STAGE_ORDER.indexOf(STAGE_CHECK[result.outcome]);
    STAGE_ORDER.forEach((name, index) => {
      if (index < failed) set(name, observe(alerts[name], passed(name), job.for, now));
      if (index === failed) {
        const alert = observe(alerts[name], reported.get(name) ?? failure(name, result.reason), job.for, now);
        set(name, alert && { ...alert, outcome: result.outcome });
      }
    });
    set("stale", observe(alerts.stale, passed("stale"), job.for, now));
  }
  const state: HostAlerts = {
    format: HOST_ALERTS_FORMAT,
    host: result.host.name,
    address: result.host.address,
    lastSlotStart: job.slotStart,
    lastResultAt: now,
    intervalMs: job.intervalMs,
    for: job.for,
    alerts,
    version: current?.version ?? 0,
  };
  if (result.host.group !== undefined) state.group = result.host.group;
  const generation = job.generation ?? current?.generation;
  if (generation !== undefined) state.generation = generation;
  return { state, applied: true };
}

/**
 * The host left the membership (in `generation`, when known): firing alerts, and pending
 * ones a robot was told about, resolve once (as removed); the rest are forgotten. A
 * removal older than the host's last result's generation (it was added back since) is ignored.
 */
export function applyRemoval(current: HostAlerts, now: number, generation?: number): HostAlerts {
  if (generation !== undefined) {
    if (current.generation !== undefined && current.generation >= generation) return current;
    if (current.removed && (current.removedGeneration ?? -1) >= generation) return current;
  } else if (current.removed) return current;
  const alerts: Record<string, Alert> = {};
  for (const [name, alert] of Object.entries(current.alerts)) {
    if (alert.status === "firing" || (alert.status === "pending" && isTold(alert))) alerts[name] = { ...alert, status: "resolved", resolvedAt: now, removed: true, epoch: nextEpoch(alert.epoch, now) };
    else if (alert.status === "resolved") alerts[name] = alert;
  }
  const next: HostAlerts = { ...current, alerts, removed: true, removedAt: now };
  if (generation !== undefined) next.removedGeneration = generation;
  return next;
}

/**
 * The flow of results across the whole fleet, as the notifier saw it (Redis times): when
 * the last result of any host arrived, and when results last resumed after a fleet-wide
 * pause (see {@link resultPauseMs}).
 */
export interface ResultFlow {
  lastAt?: number;
  resumedAt?: number;
}

/**
 * A pause in results across the whole fleet this long, for hosts of this interval, means
 * the monitor stopped (Redis, the scheduler, the workers or the notifier), not the hosts:
 * `staleAfter - 1` intervals (at least one), shorter than the staleness of any one host.
 */
export const resultPauseMs = (intervalMs: number, staleAfter: number): number => Math.max(1, staleAfter - 1) * intervalMs;

/**
 * No result for `staleAfter` intervals while the rest of the fleet reports: the host's
 * `stale` alert fires (its other alerts freeze, as for an unreachable host). The next result
 * resolves it. Silence is counted from the host's last result or from when results resumed
 * after a fleet-wide pause, whichever is later; during such a pause no host is stale (the
 * pipeline's "monitoring stalled" alert speaks for it). So a Redis restart or a monitor
 * outage never pages every host as stale.
 */
export function applyStaleness(current: HostAlerts, now: number, staleAfter: number, flow: ResultFlow = {}): HostAlerts {
  if (current.removed || current.alerts.stale?.status === "firing") return current;
  if (!isStale(current, now, staleAfter, flow)) return current;
  const silentFor = now - current.lastResultAt;
  const stale: Alert = {
    check: "stale",
    status: "firing",
    severity: "warning",
    count: staleAfter,
    since: current.lastResultAt,
    firingSince: now,
    message: `no check result for ${Math.round(silentFor / 1000)}s (${staleAfter} intervals)`,
    epoch: nextEpoch(current.alerts.stale?.epoch, now),
    decided: current.alerts.stale?.decided ?? {},
    delivered: current.alerts.stale?.delivered ?? {},
  };
  return { ...current, alerts: { ...current.alerts, stale } };
}

function isStale(current: HostAlerts, now: number, staleAfter: number, flow: ResultFlow): boolean {
  const silentSince = Math.max(current.lastResultAt, flow.resumedAt ?? -Infinity);
  if (now - silentSince < staleAfter * current.intervalMs) return false;
  const fleetPaused = flow.lastAt !== undefined && now - flow.lastAt >= resultPauseMs(current.intervalMs, staleAfter);
  return !fleetPaused;
}

/**
 * When to look at a host again that is past its deadline but not stale (results paused or
 * just resumed): its silence counted from the resumption, or one interval on.
 */
export function deferredStaleDeadline(current: HostAlerts, now: number, staleAfter: number, flow: ResultFlow): number {
  const silentSince = Math.max(current.lastResultAt, flow.resumedAt ?? -Infinity);
  return Math.max(silentSince + staleAfter * current.intervalMs, now + current.intervalMs);
}

/** When staleness would set in for this host, for the stale index. */
export const staleDeadline = (state: HostAlerts, staleAfter: number): number => state.lastResultAt + staleAfter * state.intervalMs;
