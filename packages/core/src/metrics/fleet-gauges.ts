import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { Gauge } from "prom-client";
import { AlertStore } from "../pipeline/alert-store.js";
import { KEYS } from "../pipeline/redis-keys.js";
import { readRobotHealth } from "../pipeline/robot-lane.js";
import { queueOptions } from "../pipeline/queue-options.js";
import type { ExporterLease } from "./exporter-lease.js";
import { useMetrics } from "./metrics-registry.js";

const JOB_STATES = ["waiting", "active", "delayed", "prioritized", "waiting-children", "completed", "failed"] as const;
const ALERT_STATUSES = ["pending", "firing", "resolved"] as const;
const ALERT_SEVERITIES = ["warning", "critical"] as const;
const ROBOT_STATES = ["ok", "paused", "failing"] as const;

export interface FleetGaugeSource {
  redis: Redis;
  lease: ExporterLease;
  /** Every queue of the pipeline (the queue registry's names). */
  queueNames: () => readonly string[];
  /** The robots in the config, whose lanes are measured. */
  robots: () => readonly string[];
  log: Logger;
  /** A scrape gives up on Redis after this long and exports nothing fleet-wide. @defaultValue 3000 */
  timeoutMs?: number;
}

let source: FleetGaugeSource | undefined;
const queues = new Map<string, Queue>();

const withTimeout = <T>(promise: Promise<T>, ms: number): Promise<T> => {
  let timer: NodeJS.Timeout | undefined;
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => {
      timer = setTimeout(() => reject(new Error(`Redis gave no answer within ${ms} ms`)), ms);
    }),
  ]).finally(() => clearTimeout(timer));
};

/**
 * A gauge of the whole deployment: only the lease holder exports it; it reads Redis within
 * the scrape's time limit, and on failure exports nothing and says what it could not read.
 */
function fleetGauge<L extends string>(spec: { name: string; help: string; labelNames: readonly L[]; what: string; read: (from: FleetGaugeSource, set: (labels: Record<L, string>, value: number) => void) => Promise<void> }): Gauge<L> {
  return new Gauge<L>({
    name: spec.name,
    help: spec.help,
    labelNames: spec.labelNames,
    registers: [],
    async collect() {
      this.reset();
      const from = source;
      if (!from || !(await leaseHeld(from))) return;
      const values: [Record<L, string>, number][] = [];
      try {
        await withTimeout(spec.read(from, (labels, value) => values.push([labels, value])), from.timeoutMs ?? 3_000);
        for (const [labels, value] of values) this.set(labels as Partial<Record<L, string | number>>, value);
      } catch (error) {
        this.reset();
        from.log.warn({ err: (error as Error).message }, `metrics: could not read ${spec.what}`);
      }
    },
  });
}

const queueDepth = fleetGauge({
  name: "fleetwatch_queue_jobs",
  help: "Jobs per queue and state; exported by one process of the whole deployment (the holder of a lease in Redis)",
  labelNames: ["queue", "state"] as const,
  what: "queue depths",
  async read(from, set) {
    await Promise.all(
      from.queueNames().map(async (name) => {
        let queue = queues.get(name);
        if (!queue) {
          queue = new Queue(name, queueOptions(name, from.redis));
          queues.set(name, queue);
        }
        const counts = await queue.getJobCounts(...JOB_STATES);
        for (const state of JOB_STATES) set({ queue: name, state }, counts[state] ?? 0);
      }),
    );
  },
});

const alerts = fleetGauge({
  name: "fleetwatch_alerts",
  help: "Alerts by status and severity over the whole fleet; exported by the same one process as fleetwatch_queue_jobs",
  labelNames: ["status", "severity"] as const,
  what: "the alerts",
  async read(from, set) {
    const counts = await countAlerts(from.redis);
    for (const status of ALERT_STATUSES) for (const severity of ALERT_SEVERITIES) set({ status, severity }, counts.get(`${status}/${severity}`) ?? 0);
  },
});

/** A gauge of one Redis list's length per robot. */
const robotListLength = (name: string, help: string, what: string, key: (robot: string) => string) =>
  fleetGauge({
    name,
    help,
    labelNames: ["robot"] as const,
    what,
    async read(from, set) {
      const lengths = await Promise.all(from.robots().map(async (robot) => [robot, await from.redis.llen(key(robot))] as const));
      for (const [robot, length] of lengths) set({ robot }, length);
    },
  });

const lanes = robotListLength(
  "fleetwatch_notification_lane_messages",
  "Messages waiting in each robot's delivery lane; exported by the same one process as fleetwatch_queue_jobs",
  "the delivery lanes",
  KEYS.lane,
);

const parked = robotListLength(
  "fleetwatch_notifications_parked",
  "Messages parked per robot (DingTalk refused them for good; retried every 15 minutes and on reload); exported by one process",
  "the parked messages",
  KEYS.parked,
);

const robotState = fleetGauge({
  name: "fleetwatch_robot_state",
  help: "1 for the state each robot's sender last found it in (ok, paused after 130101, failing: DingTalk refused for good); exported by one process",
  labelNames: ["robot", "state"] as const,
  what: "the robots' health",
  async read(from, set) {
    const health = await readRobotHealth(from.redis);
    for (const robot of from.robots()) {
      const current = health[robot]?.state ?? "ok";
      for (const state of ROBOT_STATES) set({ robot, state }, state === current ? 1 : 0);
    }
  },
});

/** One lease check per scrape, shared by the gauges. */
let leaseCheck: { at: number; held: Promise<boolean> } | undefined;
function leaseHeld(from: FleetGaugeSource): Promise<boolean> {
  const now = Date.now();
  if (!leaseCheck || now - leaseCheck.at > 1_000) {
    leaseCheck = { at: now, held: withTimeout(from.lease.hold(), from.timeoutMs ?? 3_000).catch(() => false) };
  }
  return leaseCheck.held;
}

async function countAlerts(redis: Redis): Promise<Map<string, number>> {
  const store = new AlertStore(redis);
  const hosts = await store.activeHosts();
  const counts = new Map<string, number>();
  for (let i = 0; i < hosts.length; i += 500) {
    for (const host of await store.loadMany(hosts.slice(i, i + 500))) {
      for (const alert of Object.values(host.alerts)) {
        const key = `${alert.status}/${alert.severity}`;
        counts.set(key, (counts.get(key) ?? 0) + 1);
      }
    }
  }
  return counts;
}

/**
 * Turns on the fleet-wide gauges (queue depth per queue and state, alerts by status, delivery
 * lanes, parked messages and state per robot) in this
 * process. Every app may call it; only the lease holder exports them at a given time.
 */
export function exportFleetGauges(from: FleetGaugeSource): { stop(): Promise<void> } {
  source = from;
  useMetrics(queueDepth, alerts, lanes, parked, robotState);
  return {
    async stop() {
      if (source === from) source = undefined;
      await Promise.all([...queues.values()].map((q) => q.close().catch(() => undefined)));
      queues.clear();
      await from.lease.release().catch(() => undefined);
    },
  };
}
