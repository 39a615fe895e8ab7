import { encodeId } from "./encode-id.js";

/**
 * Redis keys outside BullMQ. Keys a Lua script touches together share one hash tag:
 * `{sched}` for the scheduler's slot claims, `{alerts}` for the notifier's state.
 */
export const KEYS = {
  /** hash host → `slotStart|jobId` of the last check enqueued. */
  lastSlot: "fleetwatch:{sched}:last-slot",
  /** hash of host names the scheduler currently schedules. */
  scheduledHosts: "fleetwatch:{sched}:hosts",
  /** Latest CheckResult per host (JSON, newest slot wins). */
  latestResult: (host: string) => `fleetwatch:{latest}:${encodeId(host)}`,
  /** Pinned host keys for `hostKeyPolicy: tofu` in the pipeline: hash `address:port` → base64 key. */
  pinnedHostKeys: "fleetwatch:{hostkeys}:pinned",
  /** Alert state of one host (JSON with a version for compare-and-set). */
  hostAlerts: (host: string) => `fleetwatch:{alerts}:host:${encodeId(host)}`,
  /** Hosts whose alerts need the dispatcher's attention. */
  activeHosts: "fleetwatch:{alerts}:active",
  /** zset host → time it becomes stale if no result arrives. */
  staleDeadlines: "fleetwatch:{alerts}:stale-at",
  /** hash alert key → what was last notified, per robot. */
  notified: "fleetwatch:{alerts}:notified",
  /** hash group key → group timer state. */
  groups: "fleetwatch:{alerts}:groups",
  /** hash silence id → silence. */
  silences: "fleetwatch:{alerts}:silences",
  /** Time of the last result of any host (monitoring stalled detection). */
  lastAnyResult: "fleetwatch:{alerts}:last-any-result",
  /** The one process that exports the fleet-wide gauges (queue depth, alerts) on /metrics. */
  metricsExporterLease: "fleetwatch:{metrics}:exporter-lease",
  /** The notifier replica that runs the dispatcher. */
  dispatcherLock: "fleetwatch:{alerts}:dispatcher-lock",
  /** A robot that answered 130101 is paused until this time. */
  robotPausedUntil: (robot: string) => `fleetwatch:{alerts}:robot-paused:${robot}`,
} as const;
