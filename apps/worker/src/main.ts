#!/usr/bin/env node
import { Queue, Worker } from "bullmq";
import type { ResultJob } from "@fleetwatch/core";
import { ConfigHolder, createLogger, createRedis, onShutdown, parseAppArgs, QUEUES, queueOptions } from "@fleetwatch/core";
import { checkProcessor } from "./check-processor.js";
import { workerSettings } from "./worker-settings.js";

const log = createLogger("fleetwatch-worker");
const args = parseAppArgs("fleetwatch-worker", process.argv.slice(2));
if (!args.ok) {
  process.stderr.write(`${args.error}\n`);
  process.exit(2);
}
const holder = ConfigHolder.load(args.value.config, log);
if (!holder) process.exit(2);

const redis = createRedis(args.value.redisUrl);
redis.on("error", (error) => log.warn({ err: error.message }, "redis connection problem; retrying"));
const workerRedis = createRedis(args.value.redisUrl);
workerRedis.on("error", () => {});
const results = new Queue<ResultJob>(QUEUES.results, queueOptions(QUEUES.results, redis));
const settings = workerSettings(holder.current);
const worker = new Worker(QUEUES.checks, checkProcessor(redis, results, log), {
  ...queueOptions(QUEUES.checks, workerRedis),
  concurrency: settings.concurrency,
  lockDuration: settings.lockDurationMs,
  stalledInterval: settings.stalledIntervalMs,
  maxStalledCount: 2,
});
worker.on("failed", (job, error) => log.warn({ jobId: job?.id, reason: error.message }, "check job failed"));
worker.on("error", (error) => log.error({ err: error.message }, "worker error"));

holder.onChange((next) => {
  const updated = workerSettings(next);
  worker.concurrency = updated.concurrency;
});
holder.watchSignals();
onShutdown(log, async () => {
  await worker.close();
  await results.close();
  await Promise.all([redis.quit(), workerRedis.quit()]);
});
log.info(settings, "worker started");
