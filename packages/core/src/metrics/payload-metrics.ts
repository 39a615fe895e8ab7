import { Counter } from "prom-client";
import { useMetrics } from "./metrics-registry.js";

const refused = new Counter({
  name: "fleetwatch_jobs_refused_total",
  help: "Jobs refused without being run, by queue and why (version: a payload version this process does not read, e.g. from a newer scheduler; malformed: not a valid payload)",
  labelNames: ["queue", "reason"] as const,
  registers: [],
});

const upgraded = new Counter({
  name: "fleetwatch_jobs_upgraded_total",
  help: "Jobs of the previous payload version read and upgraded, by queue and the version they were written in",
  labelNames: ["queue", "from"] as const,
  registers: [],
});

/** Puts the payload metrics on this process's /metrics. */
export function enablePayloadMetrics(): void {
  useMetrics(refused, upgraded);
}

/** Counts one job refused for its payload. */
export function recordRefusedJob(queue: string, reason: "version" | "malformed"): void {
  enablePayloadMetrics();
  refused.inc({ queue, reason });
}

/** Counts one job of an older payload version, upgraded on read. */
export function recordUpgradedJob(queue: string, from: number): void {
  enablePayloadMetrics();
  upgraded.inc({ queue, from: String(from) });
}
