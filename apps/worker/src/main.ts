#!/usr/bin/env node
import { Queue, Worker } from "bullmq";
import type { ResultJob } from "@fleetwatch/core";
import { bootstrapApp, onShutdown, QUEUES, queueOptions, SshConnectionPool } from "@fleetwatch/core";
import { checkProcessor } from "./check-processor.js";
import { workerSettings } from "./worker-settings.js";

const { log, holder, connect } = bootstrapApp("fleetwatch-worker");
const redis = connect();
const workerRedis = connect();
const results = new Queue<ResultJob>(QUEUES.results, queueOptions(QUEUES.results, redis));
const settings = workerSettings(holder.current);
const pool = new SshConnectionPool({ maxConnections: settings.maxConnections });
const worker = new Worker(QUEUES.checks, checkProcessor(redis, results, log, pool), {
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
onShutdown(log, async () => {
  await worker.close();
  pool.close();
  await results.close();
  await Promise.all([redis.quit(), workerRedis.quit()]);
});
log.info(settings, "worker started");
