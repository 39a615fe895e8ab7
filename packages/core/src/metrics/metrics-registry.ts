import type { Metric } from "prom-client";
import { collectDefaultMetrics, Gauge, Registry } from "prom-client";

/**
 * The process's Prometheus registry: every fleetwatch metric registers here, and `/metrics`
 * serves it. Labels never name a host (a 100,000-host fleet would be 100,000 series).
 */
export const metricsRegistry = new Registry();

/**
 * Adds metrics to the registry the first time a process uses them, so each app's /metrics
 * shows what that app does (no delivery counters on a worker, no check counters on a notifier).
 */
export function useMetrics(...metrics: Metric[]): void {
  for (const metric of metrics) {
    const name = (metric as unknown as { name: string }).name;
    if (!metricsRegistry.getSingleMetric(name)) metricsRegistry.registerMetric(metric);
  }
}

let processMetricsOn = false;

/** CPU, memory, event-loop lag, open files, GC of this process (prom-client's defaults). */
export function enableProcessMetrics(): void {
  if (processMetricsOn) return;
  processMetricsOn = true;
  collectDefaultMetrics({ register: metricsRegistry });
}

const buildInfo = new Gauge({
  name: "fleetwatch_build_info",
  help: "Always 1; labels say which app and fleetwatch version this process runs",
  labelNames: ["app", "version"] as const,
  registers: [metricsRegistry],
});

/** Names the app in `fleetwatch_build_info`. */
export function recordBuildInfo(app: string, version: string): void {
  buildInfo.reset();
  buildInfo.set({ app, version }, 1);
}
