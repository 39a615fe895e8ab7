import type { Redis } from "ioredis";
import type { CpuBaseline } from "../probe/cpu-since-previous.js";
import { decodeCpuBaseline, encodeCpuBaseline } from "../probe/cpu-since-previous.js";
import type { ProbeMetrics } from "../probe/probe-metrics.js";
import { checkShardOf } from "./check-shards.js";
import { readCpuBaseline } from "./latest-result.js";

/**
 * The CPU counters each host's latest check left, kept in the worker that holds the host's
 * shard: the next check measures from them without reading Redis. Redis (the latest result's
 * `cpu` field) is read only when this worker has none: the host's first check here, after its
 * shard came (back) to this worker, or after a check whose result was not stored as the
 * latest. Bounded: past `limit` hosts, the one checked longest ago is dropped (and read again if needed).
 */
export class CpuBaselines {
  private readonly kept = new Map<string, CpuBaseline>();

  constructor(
    private readonly redis: Redis,
    private readonly limit: number,
  ) {}

  /** The counters the host's previous check left; undefined when there are none (CPU unmeasured). */
  previous(host: string): Promise<CpuBaseline | undefined> {
    const kept = this.kept.get(host);
    return kept ? Promise.resolve(kept) : readCpuBaseline(this.redis, host);
  }

  /**
   * After a check: `storedAsLatest` says its result became the host's latest in Redis. A check
   * that read no counters leaves the previous ones (as Redis does); a result that was not the
   * latest leaves Redis as the truth.
   */
  remember(host: string, metrics: ProbeMetrics | null, storedAsLatest: boolean): void {
    if (!storedAsLatest) {
      this.kept.delete(host);
      return;
    }
    const baseline = decodeCpuBaseline(encodeCpuBaseline(metrics));
    if (!baseline) return;
    this.kept.delete(host);
    this.kept.set(host, baseline);
    if (this.kept.size > this.limit) this.kept.delete(this.kept.keys().next().value!);
  }

  /** A shard came to this worker or left it: another worker may have checked its hosts since. */
  forgetShard(shard: number): void {
    for (const host of this.kept.keys()) if (checkShardOf(host) === shard) this.kept.delete(host);
  }

  get size(): number {
    return this.kept.size;
  }
}
