import { Gauge } from "prom-client";
import { useMetrics } from "./metrics-registry.js";

const shards = new Gauge({
  name: "fleetwatch_check_shards",
  help: "Check shards this worker leases and consumes now (the 32 shards are shared out among the live workers)",
  registers: [],
});

/** Sets the number of check shards this worker consumes (and puts the gauge on its /metrics). */
export function recordCheckShards(count: number): void {
  useMetrics(shards);
  shards.set(count);
}
