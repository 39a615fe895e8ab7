import { z } from "zod";
import { checkItemSchema } from "../evaluate/check-item.js";
import { SEVERITIES } from "../evaluate/severity.js";
import { probeMetricsSchema } from "../probe/probe-metrics.js";
import { OUTCOMES } from "./outcome.js";

export const CHECK_RESULT_VERSION = 1;

/**
 * The one shape of a check's result: `fleetwatch check --json` prints it, workers publish
 * it on the results queue. Times are UTC epoch milliseconds.
 */
export const checkResultSchema = z.object({
  version: z.literal(CHECK_RESULT_VERSION),
  host: z.object({
    name: z.string(),
    address: z.string(),
    port: z.number().int(),
    group: z.string().optional(),
  }),
  outcome: z.enum(OUTCOMES),
  /** Why the outcome is not ok, in words. */
  reason: z.string().optional(),
  state: z.enum(SEVERITIES),
  metrics: probeMetricsSchema.nullable(),
  checks: z.array(checkItemSchema),
  startedAt: z.number().int(),
  finishedAt: z.number().int(),
  durationMs: z.number(),
  timings: z.object({ connectMs: z.number(), handshakeMs: z.number(), commandMs: z.number() }),
  /**
   * True when the check moved to a second connection before the probe started: the first
   * was closed before the banner (sshd's MaxStartups), or a kept connection was dead.
   */
  retried: z.boolean(),
  /** Workers only: true when the check ran on a connection kept from an earlier check. */
  reused: z.boolean().optional(),
  /** Content hash of the fleet file the check ran under. */
  configVersion: z.string().optional(),
});
export type CheckResult = z.infer<typeof checkResultSchema>;
