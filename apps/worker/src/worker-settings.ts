import type { LoadedFleet } from "@fleetwatch/core";
import { NOTIFY_DEFAULTS } from "@fleetwatch/core";

export interface WorkerSettings {
  concurrency: number;
  /** SSH connections kept for reuse; read at start. */
  maxConnections: number;
  /** How long a worker holds a job without renewing; a killed worker's job is re-run after it. */
  lockDurationMs: number;
  stalledIntervalMs: number;
  /**
   * How long a check shard's lease (and this worker's registration) lives unrenewed: a killed
   * worker's shards go to the others within this plus one renew period.
   */
  shardLeaseMs: number;
  /** How often the leases are renewed and the assignment recomputed: a third of the lease. */
  shardRenewMs: number;
}

/**
 * Concurrency from WORKER_CONCURRENCY, else `worker.concurrency`, else 50. Lock duration and
 * stall check at a quarter of the shortest interval (at most half, as required), so a check
 * lost with a killed worker is re-run by another within one interval. Shard leases last a
 * quarter of the shortest interval too (2–15 s) and are renewed three times per lease, so a
 * killed worker's shards are taken over within about a third of the interval, well inside one.
 */
export function workerSettings(fleet: LoadedFleet, env: NodeJS.ProcessEnv = process.env): WorkerSettings {
  const fromEnv = Number(env.WORKER_CONCURRENCY);
  const concurrency = Number.isInteger(fromEnv) && fromEnv > 0 ? fromEnv : (fleet.config.worker?.concurrency ?? NOTIFY_DEFAULTS.workerConcurrency);
  const shortest = Math.min(...fleet.hosts.map((h) => h.intervalMs), 60_000);
  const quarter = Math.max(1_000, Math.min(30_000, Math.floor(shortest / 4)));
  const maxConnections = fleet.config.worker?.maxConnections ?? NOTIFY_DEFAULTS.workerMaxConnections;
  const shardLeaseMs = Math.max(2_000, Math.min(15_000, Math.floor(shortest / 4)));
  return { concurrency, maxConnections, lockDurationMs: quarter, stalledIntervalMs: quarter, shardLeaseMs, shardRenewMs: Math.floor(shardLeaseMs / 3) };
}
