import { Counter, Gauge, Histogram } from "prom-client";
import { useMetrics } from "./metrics-registry.js";

const checks = new Counter({
  name: "fleetwatch_checks_total",
  help: "Checks run by this worker, by outcome (ok, unreachable, ssh_timeout, auth_failed, hostkey_*, probe_*; error: the job itself failed)",
  labelNames: ["outcome"] as const,
  registers: [],
});

const duration = new Histogram({
  name: "fleetwatch_check_duration_seconds",
  help: "Time one check job took in this worker, from start to published result, by outcome",
  labelNames: ["outcome"] as const,
  buckets: [0.05, 0.1, 0.25, 0.5, 1, 2, 5, 10, 20, 30, 60],
  registers: [],
});

const inFlight = new Gauge({
  name: "fleetwatch_checks_in_flight",
  help: "Checks this worker is running right now",
  registers: [],
});

const lastCheck = new Gauge({
  name: "fleetwatch_last_check_timestamp_seconds",
  help: "Unix time the last check of any outcome finished in this worker (alert when it stops moving)",
  registers: [],
});

const lastSuccess = new Gauge({
  name: "fleetwatch_last_successful_check_timestamp_seconds",
  help: "Unix time the last check with outcome ok finished in this worker",
  registers: [],
});

/** Puts the check metrics on this process's /metrics. */
export function enableCheckMetrics(): void {
  useMetrics(checks, duration, inFlight, lastCheck, lastSuccess);
}

/** Counts one finished check. */
export function recordCheck(outcome: string, seconds: number, now = Date.now()): void {
  enableCheckMetrics();
  checks.inc({ outcome });
  duration.observe({ outcome }, seconds);
  lastCheck.set(now / 1000);
  if (outcome === "ok") lastSuccess.set(now / 1000);
}

/** What is running right now, for the shutdown log line ("waiting for 3 checks: web-1, …"). */
export interface InFlight<T> {
  readonly items: ReadonlySet<T>;
}

/**
 * Wraps a check job processor (anything returning `{ outcome }`) so each run is counted by
 * outcome and timed, and the jobs in flight are known. Worker wiring:
 * `new Worker(checkQueueName(shard), observeChecks(checkProcessor(...)).processor, …)`, one per leased shard.
 */
export function observeChecks<J, R extends { outcome: string }>(processor: (job: J) => Promise<R>): { processor: (job: J) => Promise<R> } & InFlight<J> {
  const items = new Set<J>();
  enableCheckMetrics();
  return {
    items,
    processor: async (job: J) => {
      const started = performance.now();
      items.add(job);
      inFlight.set(items.size);
      let outcome = "error";
      try {
        const result = await processor(job);
        outcome = result.outcome;
        return result;
      } finally {
        items.delete(job);
        inFlight.set(items.size);
        recordCheck(outcome, (performance.now() - started) / 1000);
      }
    },
  };
}
