import { z } from "zod";
import { checkItemSchema } from "../evaluate/check-item.js";
import { SEVERITIES } from "../evaluate/severity.js";
import { probeMetricsSchema } from "../probe/probe-metrics.js";
import { monitorFaultSchema } from "./monitor-fault.js";
import { OUTCOMES } from "./outcome.js";

/**
 * Version written by this code. 2 added `monitorFault` and, in `metrics.memory`, the cgroup
 * limit a container's memory is judged against. 3 lets CPU be unmeasured
 * (`metrics.cpu.usedPercent` null, method `none`: the pipeline's first check of a host) and
 * adds the counters' uptime. Everything 2 and 3 added is optional or wider, so older results
 * are read as they are; a newer version is refused with its number (an older fleetwatch
 * then says so instead of calling a newer result malformed).
 */
export const CHECK_RESULT_VERSION = 3;
/** Versions this code reads: the current one and the ones before (a subset of it each). */
export const CHECK_RESULT_VERSIONS_READ = [1, 2, 3] as const;

/**
 * The one shape of a check's result: `fleetwatch check --json` prints it, workers publish
 * it on the results queue. Times are UTC epoch milliseconds.
 */
export const checkResultSchema = z.object({
  version: z.literal(CHECK_RESULT_VERSIONS_READ, {
    error: (issue) => `check result version ${JSON.stringify(issue.input)} is not one this fleetwatch reads (${CHECK_RESULT_VERSIONS_READ.join(", ")})`,
  }),
  host: z.object({
    name: z.string(),
    address: z.string(),
    port: z.number().int(),
    group: z.string().optional(),
  }),
  outcome: z.enum(OUTCOMES),
  /** Why the outcome is not ok, in words. */
  reason: z.string().optional(),
  /**
   * Set when the check failed because of the monitor (its key or known_hosts file), not the
   * host: the outcome is then `auth_failed` (key) or `hostkey_unknown` (known_hosts) and the
   * state `unknown`. Absent in version 1 results.
   */
  monitorFault: monitorFaultSchema.optional(),
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
