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
  /** The host's history ring: newest first, compact entries (history/history-entry.ts). Tag shared with latestResult: one script writes both. */
  history: (host: string) => `fleetwatch:{latest}:history:${encodeId(host)}`,
  /** The host's alert timeline, newest first (history/alert-timeline.ts). */
  hostTimeline: (host: string) => `fleetwatch:{alerts}:timeline:${encodeId(host)}`,
  /** The fleet's alert timeline, newest first. */
  fleetTimeline: "fleetwatch:{alerts}:timeline",
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
  /** The notifier replica that runs the dispatcher. */
  dispatcherLock: "fleetwatch:{alerts}:dispatcher-lock",
  /** A robot that answered 130101 is paused until this time. */
  robotPausedUntil: (robot: string) => `fleetwatch:{alerts}:robot-paused:${robot}`,
} as const;
