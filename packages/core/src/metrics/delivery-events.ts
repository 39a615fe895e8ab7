import type { Worker } from "bullmq";
import { enableNotificationMetrics, recordNotification } from "./notification-metrics.js";

const active = new Map<string, number>();

/** Robots with a delivery in flight right now, for the notifier's shutdown line. */
export function deliveriesInFlight(): string[] {
  return [...active.entries()].filter(([, n]) => n > 0).map(([robot]) => robot);
}

const settle = (robot: string) => active.set(robot, Math.max(0, (active.get(robot) ?? 1) - 1));

/**
 * Counts a robot's delivery outcomes from its BullMQ worker's events: `completed` is sent; a
 * failure is `parked` when no retry can help (UnrecoverableError), `failed` when attempts
 * ran out, else `retried`. Wiring for the notifier: call it for each robot's delivery worker.
 */
export function watchDeliveryOutcomes(worker: Worker, robot: string): void {
  enableNotificationMetrics();
  worker.on("active", () => active.set(robot, (active.get(robot) ?? 0) + 1));
  worker.on("completed", () => {
    settle(robot);
    recordNotification(robot, "sent");
  });
  worker.on("failed", (job, error) => {
    settle(robot);
    if (!job) return;
    const parked = error.name === "UnrecoverableError";
    const exhausted = job.attemptsMade >= (job.opts.attempts ?? 1);
    recordNotification(robot, parked ? "parked" : exhausted ? "failed" : "retried");
  });
}
