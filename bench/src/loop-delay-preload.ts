import { appendFileSync } from "node:fs";
import { monitorEventLoopDelay } from "node:perf_hooks";

/**
 * Loaded with `node --import` into the process under test (the worker), so the app itself
 * is unchanged: every 5 s, one JSON line with the event-loop delay of those 5 s and RSS.
 */
const file = process.env.FLEETWATCH_BENCH_LOOP_FILE;
if (file) {
  const histogram = monitorEventLoopDelay({ resolution: 10 });
  histogram.enable();
  setInterval(() => {
    const ms = (ns: number) => Math.round(ns / 1e4) / 100;
    appendFileSync(
      file,
      `${JSON.stringify({ at: Date.now(), p50: ms(histogram.percentile(50)), p99: ms(histogram.percentile(99)), max: ms(histogram.max), rss: process.memoryUsage.rss() })}\n`,
    );
    histogram.reset();
  }, 5_000).unref();
}
