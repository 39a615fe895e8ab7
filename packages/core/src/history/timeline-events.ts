import type { HostAlerts } from "../alerting/alert-state.js";
import type { DeliveryReceipt } from "../alerting/delivery-markers.js";
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
 * What a delivery receipt says, as timeline events: `notified` when DingTalk accepted the
 * message, `parked` when it refused it. Pipeline alerts are not about a host: left out.
 */
export function receiptEvents(receipt: DeliveryReceipt): TimelineEvent[] {
  return receipt.reports
    .filter((r) => !r.pipeline)
    .map((r) => ({
      at: receipt.at,
      host: r.host,
      check: r.check,
      kind: receipt.outcome === "delivered" ? "notified" : "parked",
      severity: r.severity,
      robot: receipt.robot,
      message: r.status,
    }));
}

/** A silence was created: an event with the silence's patterns (for the fleet timeline), or for one matching host. */
export const silencedEvent = (silence: Silence, host = silence.host): TimelineEvent => ({
  at: silence.createdAt,
  host,
  check: silence.check,
  kind: "silenced",
  message: `${silence.author}: ${silence.reason} (until ${new Date(silence.endsAt).toISOString()})`,
});
