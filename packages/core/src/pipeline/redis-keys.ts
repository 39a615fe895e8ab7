import { encodeId } from "./encode-id.js";

/**
 * Redis keys outside BullMQ. Keys a Lua script touches together share one hash tag:
 * `{sched}` for the scheduler's slot claims, `{alerts}` for the notifier's state.
 */
export const KEYS = {
  /** hash host → `slotStart|jobId` of the last check enqueued. */
  lastSlot: "fleetwatch:{sched}:last-slot",
  /** The leading scheduler's lease: `id|token`, with a TTL. */
  schedulerLease: "fleetwatch:{sched}:leader",
  /** Counter: every new lease gets a higher token (the fence). */
  schedulerLeaseToken: "fleetwatch:{sched}:leader-token",
  /** hash host → its resolved settings (JSON): the fleet's published membership. */
  members: "fleetwatch:{sched}:members",
  /** hash: generation, configVersion, publishedAt, hosts, minIntervalMs. */
  membership: "fleetwatch:{sched}:membership",
  /** hash host → generation that removed it, until its removal event is queued. */
  removals: "fleetwatch:{sched}:removals",
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
  /** Alerts about fleetwatch itself (JSON, compare-and-set), apart from every host. */
  pipelineAlerts: "fleetwatch:{alerts}:pipeline",
  /** Alert state of one host (JSON, compare-and-set). */
  hostAlerts: (host: string) => `fleetwatch:{alerts}:host:${encodeId(host)}`,
  /** Hosts whose alerts need the dispatcher's attention. */
  activeHosts: "fleetwatch:{alerts}:active",
  /** zset host → time it becomes stale if no result arrives. */
  staleDeadlines: "fleetwatch:{alerts}:stale-at",
  /** hash group key → group timer state. */
  groups: "fleetwatch:{alerts}:groups",
  /** hash silence id → silence. */
  silences: "fleetwatch:{alerts}:silences",
  /** Time of the last result of any host (monitoring stalled detection). */
  lastAnyResult: "fleetwatch:{alerts}:last-any-result",
  /** Time results resumed after a fleet-wide pause (Redis, scheduler, workers or notifier down): staleness counts from it. */
  resultsResumedAt: "fleetwatch:{alerts}:results-resumed-at",
  /** The one process that exports the fleet-wide gauges (queue depth, alerts) on /metrics. */
  metricsExporterLease: "fleetwatch:{metrics}:exporter-lease",
  /** The notifier replica that runs the dispatcher (`id|token`), and its token counter (the fence). */
  dispatcherLock: "fleetwatch:{alerts}:dispatcher-lock",
  dispatcherLockToken: "fleetwatch:{alerts}:dispatcher-token",
  /** Per robot, its lane: message ids in the order they were decided. */
  lane: (robot: string) => `fleetwatch:{alerts}:lane:${encodeId(robot)}`,
  /** Per robot, hash message id → the message (JSON). */
  laneMessages: (robot: string) => `fleetwatch:{alerts}:lane-msgs:${encodeId(robot)}`,
  /** Per robot, zset message id → when it entered the lane: a decision made twice is queued once. */
  laneSeen: (robot: string) => `fleetwatch:{alerts}:lane-seen:${encodeId(robot)}`,
  /** Per robot, messages DingTalk refused for good (JSON, newest last, capped). */
  parked: (robot: string) => `fleetwatch:{alerts}:parked:${encodeId(robot)}`,
  /** Per robot, zset of send times: DingTalk's 20 a minute. */
  robotSent: (robot: string) => `fleetwatch:{alerts}:sent:${encodeId(robot)}`,
  /** Per robot, the one sender across replicas (`id|token`), and its token counter. */
  senderLock: (robot: string) => `fleetwatch:{alerts}:sender:${encodeId(robot)}`,
  senderLockToken: (robot: string) => `fleetwatch:{alerts}:sender-token:${encodeId(robot)}`,
  /** hash robot → its health (JSON: ok, paused or failing, errcode, since). */
  robotHealth: "fleetwatch:{alerts}:robot-health",
  /** Delivery receipts (JSON), applied to the alerts' delivered markers by the dispatcher. */
  receipts: "fleetwatch:{alerts}:receipts",
  /** When parked messages were last retried. */
  unparkedAt: "fleetwatch:{alerts}:unparked-at",
  /** JSON list of the notifier's set-up warnings (alerts that reach no robot), for `fleetwatch status`. */
  setupWarnings: "fleetwatch:{alerts}:setup-warnings",
} as const;
