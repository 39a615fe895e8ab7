import type { FileFault } from "../result/monitor-fault.js";
import type { FailureOutcome, Outcome } from "../result/outcome.js";
import type { CheckItem } from "./check-item.js";
import type { Severity } from "./severity.js";
import { worstSeverity } from "./severity.js";

/** The host-level check a failed stage is reported under. */
export const STAGE_CHECK: Record<FailureOutcome, string> = {
  unreachable: "reachability",
  ssh_timeout: "ssh",
  auth_failed: "ssh",
  hostkey_unknown: "ssh",
  hostkey_mismatch: "ssh",
  probe_timeout: "probe",
  probe_failed: "probe",
};

/**
 * A probe that failed says nothing about the host's health, nor does a check the monitor
 * itself could not make (its key or known_hosts unreadable): unknown. Every other failure
 * is critical.
 */
export function failureSeverity(outcome: FailureOutcome, monitorFault?: FileFault): Severity {
  return outcome === "probe_failed" || monitorFault !== undefined ? "unknown" : "critical";
}

export function hostState(outcome: Outcome, checks: readonly CheckItem[]): Severity {
  return outcome === "ok" ? worstSeverity(checks.map((c) => c.state)) : failureSeverity(outcome);
}
