import type { FileFault } from "./monitor-fault.js";

/**
 * How a check ended, stage by stage. Only `ok` carries metrics; every other outcome comes
 * with a human reason.
 */
export const OUTCOMES = [
  "ok",
  "unreachable",
  "ssh_timeout",
  "auth_failed",
  "hostkey_unknown",
  "hostkey_mismatch",
  "probe_timeout",
  "probe_failed",
] as const;
export type Outcome = (typeof OUTCOMES)[number];
export type FailureOutcome = Exclude<Outcome, "ok">;

export interface Failure {
  outcome: FailureOutcome;
  reason: string;
  /** Set when the failure is the monitor's (its key or known_hosts file), not the host's. */
  monitorFault?: FileFault;
}
