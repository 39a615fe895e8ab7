import { Counter, Gauge, Histogram } from "prom-client";
import { useMetrics } from "./metrics-registry.js";

const ticks = new Counter({
  name: "fleetwatch_scheduler_ticks_total",
  help: "Scheduling rounds this scheduler ran, by result (ok, failed)",
  labelNames: ["result"] as const,
  registers: [],
});

const tickDuration = new Histogram({
  name: "fleetwatch_scheduler_tick_duration_seconds",
  help: "Time one scheduling round took (it grows with the fleet and Redis round trips)",
  buckets: [0.005, 0.01, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
  registers: [],
});

const lastTick = new Gauge({
  name: "fleetwatch_scheduler_last_tick_timestamp_seconds",
  help: "Unix time this scheduler last finished a scheduling round",
  registers: [],
});

const hosts = new Gauge({
  name: "fleetwatch_hosts",
  help: "Hosts in the fleet file this process runs with",
  registers: [],
});

/** Hosts in the running config (no per-host labels, just the count). */
export function recordFleetSize(count: number): void {
  useMetrics(hosts);
  hosts.set(count);
}

/** Wraps the scheduler's tick so each round is counted and timed. */
export function observeSchedulerTick(tick: () => Promise<void>): () => Promise<void> {
  useMetrics(ticks, tickDuration, lastTick);
  return async () => {
    const started = performance.now();
    try {
      await tick();
      ticks.inc({ result: "ok" });
      lastTick.set(Date.now() / 1000);
    } catch (error) {
      ticks.inc({ result: "failed" });
      throw error;
    } finally {
      tickDuration.observe((performance.now() - started) / 1000);
    }
  };
}
