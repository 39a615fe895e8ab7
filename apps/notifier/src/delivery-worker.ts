import type { Job } from "bullmq";
import { Queue, UnrecoverableError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { NotificationJob, RobotSettings } from "@fleetwatch/core";
import { notificationJobSchema, notificationQueueName, queueOptions, resolveSecret, sendDingtalk } from "@fleetwatch/core";

/** DingTalk allows 20 messages a minute per robot; keep a margin. */
export const ROBOT_MESSAGES_PER_MINUTE = 18;
/** A robot that answered 130101 is blocked for 10 minutes. */
export const ROBOT_BLOCK_MS = 600_000;

/** Retry delays through an outage: 1 s doubling to 5 minutes, with jitter. */
export function deliveryBackoff(attemptsMade: number): number {
  const base = Math.min(300_000, 1_000 * 2 ** Math.max(0, attemptsMade - 1));
  return Math.round(base * (0.75 + Math.random() * 0.5));
}

export interface RobotDelivery {
  queue: Queue<NotificationJob>;
  worker: Worker<NotificationJob>;
  close(): Promise<void>;
}

/**
 * One robot's delivery: a durable queue with BullMQ's limiter (shared by all notifier
 * replicas), retries with backoff for anything a retry can fix, loud failure for what it
 * cannot (bad token, bad signature), and a pause when DingTalk says 130101.
 */
export function startRobotDelivery(
  robot: () => RobotSettings | undefined,
  name: string,
  redis: Redis,
  workerRedis: Redis,
  log: Logger,
  limits: { perMinute?: number; blockMs?: number } = {},
): RobotDelivery {
  const queueName = notificationQueueName(name);
  const queue = new Queue<NotificationJob>(queueName, queueOptions(queueName, redis));
  const processor = async (job: Job<NotificationJob>): Promise<string> => {
    const parsed = notificationJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError("invalid notification job");
    const settings = robot();
    if (!settings) throw new UnrecoverableError(`robot ${name} is no longer in the config`);
    const webhook = resolveSecret(settings.webhookRef);
    const secret = settings.secretRef ? resolveSecret(settings.secretRef) : undefined;
    if (!webhook.ok || (secret && !secret.ok)) {
      const reason = !webhook.ok ? `webhook: ${webhook.error}` : `secret: ${secret && !secret.ok ? secret.error : ""}`;
      log.error({ robot: name, reason }, "robot misconfigured; retrying until fixed");
      throw new Error(reason);
    }
    const result = await sendDingtalk(
      { webhook: webhook.value, ...(secret?.ok ? { secret: secret.value } : {}) },
      { title: parsed.data.title, markdown: parsed.data.markdown, atMobiles: parsed.data.atMobiles, isAtAll: parsed.data.isAtAll },
    );
    if (result.ok) {
      log.info({ robot: name, jobId: job.id, attempt: job.attemptsMade + 1 }, "notification delivered");
      return "delivered";
    }
    if (result.rateLimited) {
      log.error({ robot: name, reason: result.reason }, "DingTalk rate limit hit: pausing this robot for 10 minutes");
      await queue.rateLimit(limits.blockMs ?? ROBOT_BLOCK_MS);
      throw Worker.RateLimitError();
    }
    if (!result.recoverable) {
      log.error({ robot: name, jobId: job.id, reason: result.reason }, "NOTIFICATION FAILED PERMANENTLY: fix the robot's settings");
      throw new UnrecoverableError(result.reason);
    }
    log.warn({ robot: name, jobId: job.id, attempt: job.attemptsMade + 1, reason: result.reason }, "delivery failed; will retry");
    throw new Error(result.reason);
  };
  const worker = new Worker<NotificationJob>(queueName, processor, {
    ...queueOptions(queueName, workerRedis),
    concurrency: 1,
    limiter: { max: limits.perMinute ?? ROBOT_MESSAGES_PER_MINUTE, duration: 60_000 },
    settings: { backoffStrategy: (attemptsMade: number) => deliveryBackoff(attemptsMade) },
  });
  worker.on("error", (error) => log.error({ robot: name, err: error.message }, "delivery worker error"));
  return {
    queue,
    worker,
    async close() {
      await worker.close();
      await queue.close();
    },
  };
}
