import { z } from "zod";
import { OUTCOMES } from "../result/outcome.js";

export const ALERT_SEVERITIES = ["warning", "critical"] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/**
 * Per robot, two markers. *decided*: what the dispatcher planned to say (drives planning and
 * message ids). *delivered*: what DingTalk confirmed with errcode 0 (drives the RESOLVED
 * obligation and re-sending after a failure). `epoch` is the alert's epoch said.
 */
export const markerSchema = z.object({
  severity: z.enum(ALERT_SEVERITIES),
  at: z.number(),
  epoch: z.number().int().default(0),
  /** The message carrying it was parked (DingTalk refused it for good): retried every 15 minutes and on reload. */
  parked: z.boolean().optional(),
});
export type Marker = z.infer<typeof markerSchema>;

/**
 * One alert: a (host, check) pair. `pending` until the `for`-th consecutive non-ok result,
 * then `firing`; `resolved` once it passes again, until the dispatcher has said so.
 */
export const alertSchema = z.object({
  check: z.string(),
  status: z.enum(["pending", "firing", "resolved"]),
  severity: z.enum(ALERT_SEVERITIES),
  /** The check reported unknown (could not judge), shown as such; alerts as a warning. */
  unknown: z.boolean().optional(),
  count: z.number().int(),
  since: z.number(),
  firingSince: z.number().optional(),
  resolvedAt: z.number().optional(),
  /** For a stage alert (reachability, ssh, probe): how the check ended, for the message's words. */
  outcome: z.enum(OUTCOMES).optional(),
  /** Resolved because the host left the config. */
  removed: z.boolean().optional(),
  message: z.string(),
  value: z.number().optional(),
  unit: z.string().optional(),
  threshold: z.object({ warning: z.number().optional(), critical: z.number().optional() }).optional(),
  /** A pipeline alert whose condition is reported (not watched): when it was last reported… */
  seenAt: z.number().optional(),
  /** …and how soon it must be reported again to keep firing. */
  renewWithinMs: z.number().optional(),
  /** Changes only when the alert fires, escalates or resolves: what a message reports it at. */
  epoch: z.number().int().default(0),
  /** Per robot: what the dispatcher decided to tell it (firing, with which severity, when). */
  decided: z.record(z.string(), markerSchema).default({}),
  /** Per robot: what DingTalk confirmed it was told. */
  delivered: z.record(z.string(), markerSchema).default({}),
});
export type Alert = z.infer<typeof alertSchema>;

/** The format of a stored host document; raised whenever its meaning changes. */
export const HOST_ALERTS_FORMAT = 2;

/** Everything the notifier keeps about one host. Stored as one JSON value, compare-and-set. */
export const hostAlertsSchema = z.object({
  format: z.literal(HOST_ALERTS_FORMAT),
  host: z.string(),
  address: z.string().optional(),
  group: z.string().optional(),
  /** Start (epoch ms) of the slot of the last applied result: results are ordered by it. */
  lastSlotStart: z.number(),
  lastResultAt: z.number(),
  intervalMs: z.number(),
  for: z.number().int(),
  /** Membership generation the last applied result was scheduled under, when known. */
  generation: z.number().int().optional(),
  removed: z.boolean().optional(),
  /** When the host left the config; results of checks started before then are dropped. */
  removedAt: z.number().optional(),
  /** The membership generation that removed it; results scheduled under an older one are dropped. */
  removedGeneration: z.number().int().optional(),
  alerts: z.record(z.string(), alertSchema),
  /** Counts writes (informational; compare-and-set compares the whole stored text). */
  version: z.number().int().default(0),
});
export type HostAlerts = z.infer<typeof hostAlertsSchema>;

/**
 * Format 1 (until the slot-start ordering): `lastSlot` was a slot index. Its slot started
 * in [lastSlot × interval, (lastSlot + 1) × interval): the upper bound drops a replay of that
 * slot and accepts the next one.
 */
function upgradeFromV1(doc: Record<string, unknown>): Record<string, unknown> {
  const { lastSlot, ...rest } = doc;
  const interval = typeof doc.intervalMs === "number" ? doc.intervalMs : 0;
  const lastSlotStart = typeof lastSlot === "number" ? (lastSlot + 1) * interval - 1 : 0;
  return { ...rest, format: HOST_ALERTS_FORMAT, lastSlotStart, alerts: upgradeAlerts(doc.alerts) };
}

/** Format 1 alerts had one marker, `notified`, written when a message was queued: taken as decided and delivered. */
export function upgradeAlerts(alerts: unknown): unknown {
  if (typeof alerts !== "object" || alerts === null) return alerts;
  return Object.fromEntries(
    Object.entries(alerts as Record<string, Record<string, unknown>>).map(([name, alert]) => {
      if (typeof alert !== "object" || alert === null || !("notified" in alert)) return [name, alert];
      const { notified, ...rest } = alert;
      return [name, { ...rest, decided: notified, delivered: notified }];
    }),
  );
}

export type StoredRead<T> = { ok: true; value: T } | { ok: false; reason: string; newer: boolean };

/**
 * Reads a stored host document of any format this code knows, upgrading older ones. Never
 * throws: a document it cannot read says why, and whether it is from a newer fleetwatch
 * (then it must not be overwritten).
 */
export function readHostAlerts(value: unknown): StoredRead<HostAlerts> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) return { ok: false, reason: "not a JSON object", newer: false };
  let doc = value as Record<string, unknown>;
  const format = doc.format ?? 1;
  if (typeof format === "number" && format > HOST_ALERTS_FORMAT) return { ok: false, reason: `format ${format} is newer than this fleetwatch reads (${HOST_ALERTS_FORMAT})`, newer: true };
  if (format === 1) doc = upgradeFromV1(doc);
  const parsed = hostAlertsSchema.safeParse(doc);
  if (!parsed.success) {
    const reason = parsed.error.issues.map((i) => `${i.path.join(".") || "(document)"}: ${i.message}`).join("; ");
    return { ok: false, reason, newer: false };
  }
  return { ok: true, value: parsed.data };
}

/** `readHostAlerts` from JSON text. */
export function parseHostAlerts(text: string): StoredRead<HostAlerts> {
  try {
    return readHostAlerts(JSON.parse(text));
  } catch (error) {
    return { ok: false, reason: `not JSON (${(error as Error).message})`, newer: false };
  }
}

/** For documents embedded in other files (the cron state file): any known format, upgraded. */
export const storedHostAlertsSchema = z.unknown().transform((value, ctx): HostAlerts => {
  const read = readHostAlerts(value);
  if (read.ok) return read.value;
  ctx.addIssue({ code: "custom", message: read.reason });
  return z.NEVER;
});

/** The identity of an alert across the system (silences, logs, messages). */
export const alertKey = (host: string, check: string): string => `${host}\u0000${check}`;
