import { z } from "zod";
import type { Alert, AlertSeverity, StoredRead } from "./alert-state.js";
import { alertSchema } from "./alert-state.js";
import { isTold, nextEpoch } from "./apply-result.js";

/**
 * Alerts about fleetwatch itself (monitoring stalled, a worker that cannot read its key),
 * kept apart from hosts: never stale, never matched by a host silence, each resolved once.
 * A name is a kind, then what it is about: `stalled`, `fault:worker-3:/etc/fleetwatch/id_ed25519`.
 */
export const PIPELINE_ALERTS_FORMAT = 1;

export const pipelineAlertsSchema = z.object({
  format: z.literal(PIPELINE_ALERTS_FORMAT),
  alerts: z.record(z.string(), alertSchema),
  version: z.number().int().default(0),
});
export type PipelineAlerts = z.infer<typeof pipelineAlertsSchema>;

/** How pipeline alerts are shown where a host name would be. */
export const PIPELINE_SCOPE = "fleetwatch";

/** The name of the "no check results are arriving" alert. */
export const STALLED_ALERT = "stalled";

/** `fault:worker-3:/etc/keys/id`: a pipeline alert's name from its kind and what it is about. */
export const pipelineAlertName = (kind: string, ...subject: string[]): string => [kind, ...subject].join(":");

export const emptyPipelineAlerts = (): PipelineAlerts => ({ format: PIPELINE_ALERTS_FORMAT, alerts: {}, version: 0 });

export function readPipelineAlerts(value: unknown): StoredRead<PipelineAlerts> {
  const format = typeof value === "object" && value !== null ? (value as { format?: unknown }).format : undefined;
  if (typeof format === "number" && format > PIPELINE_ALERTS_FORMAT) return { ok: false, reason: `format ${format} is newer than this fleetwatch reads`, newer: true };
  const parsed = pipelineAlertsSchema.safeParse(value);
  if (parsed.success) return { ok: true, value: parsed.data };
  return { ok: false, reason: parsed.error.issues.map((i) => `${i.path.join(".") || "(document)"}: ${i.message}`).join("; "), newer: false };
}

/** A condition that holds now: what it is, how bad, in words, and since when. */
export interface PipelineCondition {
  name: string;
  severity: AlertSeverity;
  message: string;
  since: number;
  /**
   * For a condition that is reported rather than watched (a worker's fault on a result): it
   * ends when not reported again within this long (`expirePipelineAlerts`).
   */
  renewWithinMs?: number;
}

/** The condition holds: its alert fires at once (or keeps firing, with the newest words). */
export function raisePipelineAlert(doc: PipelineAlerts, condition: PipelineCondition, now: number): PipelineAlerts {
  const previous = doc.alerts[condition.name];
  const firing = previous?.status === "firing" ? previous : undefined;
  const escalated = firing?.severity === "warning" && condition.severity === "critical";
  const alert: Alert = {
    check: condition.name,
    status: "firing",
    severity: condition.severity,
    count: (firing?.count ?? 0) + 1,
    since: firing?.since ?? condition.since,
    firingSince: firing?.firingSince ?? now,
    message: condition.message,
    seenAt: now,
    ...(condition.renewWithinMs === undefined ? {} : { renewWithinMs: condition.renewWithinMs }),
    epoch: !firing || escalated ? nextEpoch(previous?.epoch, now) : firing.epoch,
    decided: previous?.decided ?? {},
    delivered: previous?.delivered ?? {},
  };
  return { ...doc, alerts: { ...doc.alerts, [condition.name]: alert } };
}

/** The condition no longer holds: a told alert resolves (once), an untold one is forgotten. */
export function clearPipelineAlert(doc: PipelineAlerts, name: string, now: number, message = `${name}: cleared`): PipelineAlerts {
  const previous = doc.alerts[name];
  if (!previous || previous.status === "resolved") return doc;
  const alerts = { ...doc.alerts };
  if (isTold(previous)) alerts[name] = { ...previous, status: "resolved", resolvedAt: now, count: 0, epoch: nextEpoch(previous.epoch, now), message };
  else delete alerts[name];
  return { ...doc, alerts };
}

/** Reported conditions not reported again in time have ended: their alerts resolve (once). */
export function expirePipelineAlerts(doc: PipelineAlerts, now: number): PipelineAlerts {
  let next = doc;
  for (const [name, alert] of Object.entries(doc.alerts)) {
    if (alert.status !== "firing" || alert.renewWithinMs === undefined) continue;
    if (now - (alert.seenAt ?? alert.since) > alert.renewWithinMs) next = clearPipelineAlert(next, name, now, `${name}: no longer reported`);
  }
  return next;
}
