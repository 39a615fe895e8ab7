import type { CheckItem } from "../evaluate/check-item.js";
import { STAGE_CHECK } from "../evaluate/host-state.js";
import type { ResultJob } from "../pipeline/job-schemas.js";
import type { Alert, HostAlerts } from "./alert-state.js";

/** Checks about reaching the host at all; every other check is about its resources. */
export const STAGE_CHECKS: ReadonlySet<string> = new Set([...Object.values(STAGE_CHECK), "stale"]);

type ResultOf = Extract<ResultJob, { kind: "result" }>;

/** A non-ok observation moves an alert towards firing; an ok one resolves or forgets it. */
function observe(alert: Alert | undefined, item: CheckItem, forCount: number, now: number): Alert | undefined {
  if (item.state === "ok") {
    if (!alert) return undefined;
    if (alert.status === "firing") return { ...alert, status: "resolved", resolvedAt: now, count: 0, message: item.message, ...valueOf(item) };
    return alert.status === "resolved" ? alert : undefined;
  }
  const severity = item.state === "critical" ? "critical" : "warning";
  const streak = alert && alert.status !== "resolved" ? alert : undefined;
  const count = (streak?.count ?? 0) + 1;
  const firing = count >= forCount;
  const next: Alert = {
    check: item.name,
    status: firing ? "firing" : "pending",
    severity,
    count,
    since: streak?.since ?? now,
    message: item.message,
    notified: alert?.notified ?? {},
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

/**
 * Applies one check result to a host's alerts. Results are applied in slot order: an
 * older or repeated slot is dropped (`applied: false`). When the host could not be
 * checked, only its stage alert (reachability, ssh, probe) moves; resource and process
 * alerts freeze until it can be checked again.
 */
export function applyResult(stored: HostAlerts | undefined, job: ResultOf, now: number): { state: HostAlerts; applied: boolean } {
  let current = stored;
  if (current?.removed) {
    // A check still in flight when the host was removed says nothing; a later one means it is back.
    if (job.slotStart < (current.removedAt ?? Infinity)) return { state: current, applied: false };
    current = { ...current, alerts: {}, lastSlot: -1 };
  }
  if (current && job.slot <= current.lastSlot) return { state: current, applied: false };
  const { result } = job;
  const alerts: Record<string, Alert> = { ...(current?.alerts ?? {}) };
  const set = (name: string, alert: Alert | undefined) => {
    if (alert) alerts[name] = alert;
    else delete alerts[name];
  };
  const reported = new Map(result.checks.map((item) => [item.name, item]));
  if (result.outcome === "ok") {
    for (const name of new Set([...Object.keys(alerts), ...reported.keys()])) {
      set(name, observe(alerts[name], reported.get(name) ?? passed(name), job.for, now));
    }
  } else {
    // Stages before the failed one passed; the failed one moves; stages after it and every
    // resource cannot be judged now, so they keep their state.
    const failed = STAGE_ORDER.indexOf(STAGE_CHECK[result.outcome]);
    STAGE_ORDER.forEach((name, index) => {
      if (index < failed) set(name, observe(alerts[name], passed(name), job.for, now));
      if (index === failed) set(name, observe(alerts[name], reported.get(name) ?? failure(name, result.reason), job.for, now));
    });
    set("stale", observe(alerts.stale, passed("stale"), job.for, now));
  }
  const state: HostAlerts = {
    host: result.host.name,
    address: result.host.address,
    lastSlot: job.slot,
    lastResultAt: now,
    intervalMs: job.intervalMs,
    for: job.for,
    alerts,
    version: current?.version ?? 0,
  };
  if (result.host.group !== undefined) state.group = result.host.group;
  return { state, applied: true };
}

/** The host left the config: firing alerts resolve once (as removed), pending ones are forgotten. */
export function applyRemoval(current: HostAlerts, now: number): HostAlerts {
  const alerts: Record<string, Alert> = {};
  for (const [name, alert] of Object.entries(current.alerts)) {
    if (alert.status === "firing") alerts[name] = { ...alert, status: "resolved", resolvedAt: now, removed: true };
    else if (alert.status === "resolved") alerts[name] = alert;
  }
  return { ...current, alerts, removed: true, removedAt: now };
}

/**
 * No result for `staleAfter` intervals: the host's `stale` alert fires (its other alerts
 * freeze, as for an unreachable host). The next result resolves it.
 */
export function applyStaleness(current: HostAlerts, now: number, staleAfter: number): HostAlerts {
  if (current.removed || current.alerts.stale?.status === "firing") return current;
  const silentFor = now - current.lastResultAt;
  if (silentFor < staleAfter * current.intervalMs) return current;
  const stale: Alert = {
    check: "stale",
    status: "firing",
    severity: "warning",
    count: staleAfter,
    since: current.lastResultAt,
    firingSince: now,
    message: `no check result for ${Math.round(silentFor / 1000)}s (${staleAfter} intervals)`,
    notified: current.alerts.stale?.notified ?? {},
  };
  return { ...current, alerts: { ...current.alerts, stale } };
}

/** When staleness would set in for this host, for the stale index. */
export const staleDeadline = (state: HostAlerts, staleAfter: number): number => state.lastResultAt + staleAfter * state.intervalMs;
