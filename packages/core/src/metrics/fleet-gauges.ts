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

const queueDepth = new Gauge({
  name: "fleetwatch_queue_jobs",
  help: "Jobs per queue and state; exported by one process of the whole deployment (the holder of a lease in Redis)",
  labelNames: ["queue", "state"] as const,
  registers: [],
  async collect() {
    this.reset();
    const from = source;
    if (!from || !(await leaseHeld(from))) return;
    try {
      await withTimeout(
        Promise.all(
          from.queueNames().map(async (name) => {
            let queue = queues.get(name);
            if (!queue) {
              queue = new Queue(name, queueOptions(name, from.redis));
              queues.set(name, queue);
            }
            const counts = await queue.getJobCounts(...JOB_STATES);
            for (const state of JOB_STATES) this.set({ queue: name, state }, counts[state] ?? 0);
          }),
        ),
        from.timeoutMs ?? 3_000,
      );
    } catch (error) {
      this.reset();
      from.log.warn({ err: (error as Error).message }, "metrics: could not read queue depths");
    }
  },
});

const alerts = new Gauge({
  name: "fleetwatch_alerts",
  help: "Alerts by status and severity over the whole fleet; exported by the same one process as fleetwatch_queue_jobs",
  labelNames: ["status", "severity"] as const,
  registers: [],
  async collect() {
    this.reset();
    const from = source;
    if (!from || !(await leaseHeld(from))) return;
    try {
      const counts = await withTimeout(countAlerts(from.redis), from.timeoutMs ?? 3_000);
      for (const status of ALERT_STATUSES) for (const severity of ALERT_SEVERITIES) this.set({ status, severity }, counts.get(`${status}/${severity}`) ?? 0);
    } catch (error) {
      this.reset();
      from.log.warn({ err: (error as Error).message }, "metrics: could not count alerts");
    }
  },
});

const lanes = new Gauge({
  name: "fleetwatch_notification_lane_messages",
  help: "Messages waiting in each robot's delivery lane; exported by the same one process as fleetwatch_queue_jobs",
  labelNames: ["robot"] as const,
  registers: [],
  async collect() {
    this.reset();
    const from = source;
    if (!from || !(await leaseHeld(from))) return;
    try {
      const lengths = await withTimeout(Promise.all(from.robots().map(async (robot) => [robot, await from.redis.llen(KEYS.lane(robot))] as const)), from.timeoutMs ?? 3_000);
      for (const [robot, length] of lengths) this.set({ robot }, length);
    } catch (error) {
      this.reset();
      from.log.warn({ err: (error as Error).message }, "metrics: could not read the delivery lanes");
    }
  },
});

const parked = new Gauge({
  name: "fleetwatch_notifications_parked",
  help: "Messages parked per robot (DingTalk refused them for good; retried every 15 minutes and on reload); exported by one process",
  labelNames: ["robot"] as const,
  registers: [],
  async collect() {
    this.reset();
    const from = source;
    if (!from || !(await leaseHeld(from))) return;
    try {
      const lengths = await withTimeout(Promise.all(from.robots().map(async (robot) => [robot, await from.redis.llen(KEYS.parked(robot))] as const)), from.timeoutMs ?? 3_000);
      for (const [robot, length] of lengths) this.set({ robot }, length);
    } catch (error) {
      this.reset();
      from.log.warn({ err: (error as Error).message }, "metrics: could not read the parked messages");
    }
  },
});

const robotState = new Gauge({
  name: "fleetwatch_robot_state",
  help: "1 for the state each robot's sender last found it in (ok, paused after 130101, failing: DingTalk refused for good); exported by one process",
  labelNames: ["robot", "state"] as const,
  registers: [],
  async collect() {
    this.reset();
    const from = source;
    if (!from || !(await leaseHeld(from))) return;
    try {
      const health = await withTimeout(readRobotHealth(from.redis), from.timeoutMs ?? 3_000);
      for (const robot of from.robots()) {
        const state = health[robot]?.state ?? "ok";
        for (const s of ROBOT_STATES) this.set({ robot, state: s }, s === state ? 1 : 0);
      }
    } catch (error) {
      this.reset();
      from.log.warn({ err: (error as Error).message }, "metrics: could not read the robots' health");
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
