import type { Alert, HostAlerts } from "./alert-state.js";
import type { PipelineAlerts } from "./pipeline-alerts.js";
import type { Report } from "./plan-dispatch.js";

/** What a delivery attempt of one message came to, for the markers of what it reports. */
export interface DeliveryReceipt {
  robot: string;
  messageId: string;
  outcome: "delivered" | "parked";
  reports: Report[];
  at: number;
}

const isResolvedOnly = (alert: Alert): boolean => alert.status === "resolved" && Object.keys(alert.decided).length === 0 && Object.keys(alert.delivered).length === 0;

/**
 * Applies a receipt to alerts: delivered, a FIRING becomes the robot's delivered marker and a
 * RESOLVED clears it; parked, the decided marker it carried is flagged (a RESOLVED refused
 * puts back the decided marker it cleared). Older epochs never overwrite newer ones.
 */
function applyReceiptTo(alerts: Record<string, Alert>, receipt: DeliveryReceipt, reports: readonly Report[]): Record<string, Alert> {
  const next = { ...alerts };
  const { robot } = receipt;
  for (const r of reports) {
    const alert = next[r.check];
    if (!alert) continue;
    const decided = { ...alert.decided };
    const delivered = { ...alert.delivered };
    const marker = { severity: r.severity, at: receipt.at, epoch: r.epoch };
    if (receipt.outcome === "delivered") {
      if (r.status === "firing" && (delivered[robot]?.epoch ?? -1) <= r.epoch) delivered[robot] = marker;
      if (r.status === "resolved" && (delivered[robot]?.epoch ?? -1) < r.epoch) delete delivered[robot];
    } else if (r.status === "firing") {
      if (decided[robot]?.epoch === r.epoch) decided[robot] = { ...decided[robot]!, parked: true };
    } else if (!decided[robot] && delivered[robot]) {
      decided[robot] = { ...delivered[robot]!, parked: true };
    }
    const updated = { ...alert, decided, delivered };
    if (isResolvedOnly(updated)) delete next[r.check];
    else next[r.check] = updated;
  }
  return next;
}

export function applyReceipt(host: HostAlerts, receipt: DeliveryReceipt): HostAlerts {
  return { ...host, alerts: applyReceiptTo(host.alerts, receipt, receipt.reports.filter((r) => !r.pipeline && r.host === host.host)) };
}

export function applyPipelineReceipt(doc: PipelineAlerts, receipt: DeliveryReceipt): PipelineAlerts {
  return { ...doc, alerts: applyReceiptTo(doc.alerts, receipt, receipt.reports.filter((r) => r.pipeline)) };
}

/**
 * The parked messages' retry (every 15 minutes, on reload): each parked decided marker goes
 * back to what was delivered, so the planner decides afresh what the chat still needs to hear.
 */
export function unparkAlerts(alerts: Record<string, Alert>): Record<string, Alert> | undefined {
  let changed = false;
  const next: Record<string, Alert> = {};
  for (const [name, alert] of Object.entries(alerts)) {
    const decided = { ...alert.decided };
    for (const [robot, marker] of Object.entries(alert.decided)) {
      if (!marker.parked) continue;
      changed = true;
      const delivered = alert.delivered[robot];
      if (delivered) decided[robot] = delivered;
      else delete decided[robot];
    }
    const updated = { ...alert, decided };
    if (!isResolvedOnly(updated)) next[name] = updated;
  }
  return changed ? next : undefined;
}

/** Whether any alert waits for the parked messages' retry. */
export const hasParked = (alerts: Record<string, Alert>): boolean => Object.values(alerts).some((a) => Object.values(a.decided).some((m) => m.parked));
