import type { HostAlerts } from "../alerting/alert-state.js";
import type { PlannedMessage } from "../alerting/plan-dispatch.js";
import type { Silence } from "../alerting/silence.js";
import type { TimelineEvent } from "./alert-timeline.js";

const RANK = { warning: 1, critical: 2 } as const;

/**
 * What changed between two versions of a host's alerts, as timeline events: an alert that
 * started firing, rose in severity, or resolved. Pure.
 */
export function alertTransitions(before: HostAlerts | undefined, after: HostAlerts, now: number): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  for (const [check, alert] of Object.entries(after.alerts)) {
    const prev = before?.alerts[check];
    const base = { at: now, host: after.host, check, severity: alert.severity, message: alert.message };
    if (alert.status === "firing" && prev?.status !== "firing") events.push({ ...base, kind: "fired" });
    else if (alert.status === "firing" && prev?.status === "firing" && RANK[alert.severity] > RANK[prev.severity]) events.push({ ...base, kind: "escalated" });
    else if (alert.status === "resolved" && prev?.status === "firing") events.push({ ...base, kind: "resolved" });
  }
  return events;
}

/**
 * One `notified` event per (host, check) a planned message reports to its robot: for the
 * hosts' timelines (`hosts`) and the fleet's (`fleet`). A host already removed from the fleet
 * gets none on its own timeline, which is expiring.
 */
export function notifiedEvents(message: PlannedMessage, now: number): { hosts: TimelineEvent[]; fleet: TimelineEvent[] } {
  const fleet = [
    ...message.firing.map((a): TimelineEvent => ({ at: now, host: a.host, check: a.check, kind: "notified", severity: a.severity, robot: message.robot, message: message.reminder ? "reminder" : "firing" })),
    ...message.resolved.map((a): TimelineEvent => ({ at: now, host: a.host, check: a.check, kind: "notified", robot: message.robot, message: a.removed ? "resolved (host removed)" : "resolved" })),
  ];
  const removed = new Set(message.resolved.filter((a) => a.removed).map((a) => a.host));
  return { hosts: fleet.filter((e) => !removed.has(e.host)), fleet };
}

/** A silence was created: an event with the silence's patterns (for the fleet timeline), or for one matching host. */
export const silencedEvent = (silence: Silence, host = silence.host): TimelineEvent => ({
  at: silence.createdAt,
  host,
  check: silence.check,
  kind: "silenced",
  message: `${silence.author}: ${silence.reason} (until ${new Date(silence.endsAt).toISOString()})`,
});
