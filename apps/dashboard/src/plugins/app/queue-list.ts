import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { notificationQueueName, QUEUES, queueOptions } from "@fleetwatch/core";
import type { DashboardSettings } from "./dashboard-settings.js";

/** Delivery queues: Bull Board never changes them (a retried or removed message would break the robot's lane). */
export const isDeliveryQueue = (name: string): boolean => name.startsWith("notify-");

/**
 * The queues Bull Board shows: the check and result queues and one delivery queue per robot
 * in the config. Queue objects are made once per name and closed with the dashboard.
 */
export class QueueList {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly redis: Redis,
    private readonly settings: () => DashboardSettings,
  ) {}

  names(): string[] {
    return [QUEUES.checks, QUEUES.results, ...this.settings().notify.robots.map((r) => notificationQueueName(r.name))];
  }

  /** The current queues, in order. */
  current(): Queue[] {
    return this.names().map((name) => {
      let queue = this.queues.get(name);
      if (!queue) this.queues.set(name, (queue = new Queue(name, queueOptions(name, this.redis))));
      return queue;
    });
  }

  async close(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.close()));
  }
}
