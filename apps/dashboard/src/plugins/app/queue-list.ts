import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { pipelineQueues, queueOptions } from "@fleetwatch/core";
import type { DashboardSettings } from "./dashboard-settings.js";

/** Delivery queues: Bull Board never changes them (a retried or removed message would break the robot's lane). */
export const isDeliveryQueue = (name: string): boolean => name.startsWith("notify-");

/**
 * The queues Bull Board shows: the check and result queues (DingTalk deliveries go through
 * per-robot lanes in the notifier's state, not queues: their health is on /alerts). Queue
 * objects are made once per name and closed with the dashboard. The names come from the
 * queue registry in core, read on every request, so a queue added there shows here.
 */
export class QueueList {
  private readonly queues = new Map<string, Queue>();

  constructor(
    private readonly redis: Redis,
    readonly settings: () => DashboardSettings,
  ) {}

  names(): string[] {
    return pipelineQueues().map((q) => q.name);
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
