import { z } from "zod";

export const ALERT_SEVERITIES = ["warning", "critical"] as const;
export type AlertSeverity = (typeof ALERT_SEVERITIES)[number];

/** What a robot was last told about an alert. */
export const notifiedSchema = z.object({
  severity: z.enum(ALERT_SEVERITIES),
  at: z.number(),
});

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
  /** Resolved because the host left the config. */
  removed: z.boolean().optional(),
  message: z.string(),
  value: z.number().optional(),
  unit: z.string().optional(),
  threshold: z.object({ warning: z.number().optional(), critical: z.number().optional() }).optional(),
  /** Per robot: what it was last told (firing, with which severity, when). */
  notified: z.record(z.string(), notifiedSchema).default({}),
});
export type Alert = z.infer<typeof alertSchema>;

/** Everything the notifier keeps about one host. Stored as one JSON value, compare-and-set by `version`. */
export const hostAlertsSchema = z.object({
  host: z.string(),
  address: z.string().optional(),
  group: z.string().optional(),
  lastSlot: z.number(),
  lastResultAt: z.number(),
  intervalMs: z.number(),
  for: z.number().int(),
  removed: z.boolean().optional(),
  /** When the host left the config; results of checks started before then are dropped. */
  removedAt: z.number().optional(),
  alerts: z.record(z.string(), alertSchema),
  version: z.number().int().default(0),
});
export type HostAlerts = z.infer<typeof hostAlertsSchema>;

/** The identity of an alert across the system (silences, logs, messages). */
export const alertKey = (host: string, check: string): string => `${host}\u0000${check}`;
