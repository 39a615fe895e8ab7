import type { MonitorFault } from "../result/monitor-fault.js";
import type { PipelineCondition } from "./pipeline-alerts.js";
import { pipelineAlertName } from "./pipeline-alerts.js";

/** How many of the reporting host's intervals a monitor fault stays raised without being reported again. */
export const MONITOR_FAULT_RENEW_INTERVALS = 3;

/**
 * A check failed because of the monitor's own file (its SSH key, its known_hosts): one
 * pipeline alert per (monitor, file), however many hosts it blinds, named
 * `fault:MONITOR:FILE`. It ends when no result reports it for three of the host's intervals.
 */
export function monitorFaultCondition(fault: MonitorFault, intervalMs: number, now: number): PipelineCondition {
  const what = fault.kind === "private_key" ? "SSH key" : "known_hosts file";
  return {
    name: pipelineAlertName("fault", fault.monitor, fault.file),
    severity: "critical",
    since: now,
    message: `${fault.monitor} cannot use its ${what} ${fault.file} (${fault.cause}): ${fault.reason}; the hosts it checks are not being judged`,
    renewWithinMs: MONITOR_FAULT_RENEW_INTERVALS * intervalMs,
  };
}
