#!/usr/bin/env node
import { Queue } from "bullmq";
import type { CheckJob, ResultJob } from "@fleetwatch/core";
import { bootstrapApp, closeRedis, observeSchedulerTick, onShutdown, queueOptions, QUEUES, recordFleetSize, startTickLoop } from "@fleetwatch/core";
import { Scheduler } from "./scheduler.js";

const app = bootstrapApp("fleetwatch-scheduler");
const { log, holder, connect } = app;
const redis = connect();
const checks = new Queue<CheckJob>(QUEUES.checks, queueOptions(QUEUES.checks, redis));
const results = new Queue<ResultJob>(QUEUES.results, queueOptions(QUEUES.results, redis));
checks.on("error", app.onQueueError("checks queue"));
results.on("error", app.onQueueError("results queue"));
const scheduler = new Scheduler(redis, checks, results, holder.current, log);
recordFleetSize(holder.current.hosts.length);

holder.onChange((next) => {
  recordFleetSize(next.hosts.length);
  void scheduler.useConfig(next).catch((error: Error) => log.error({ err: error.message }, "applying the new config failed"));
});
const http = await app.serveHttp(redis);
let loop: { stop(): Promise<void> } | undefined;
let stopped = false;
onShutdown(log, async () => {
  stopped = true;
  http.markStopping();
  if (app.abandonIfRedisDown()) return;
  if (loop) log.info("waiting for the scheduling round in progress to finish; no new checks are enqueued");
  await loop?.stop();
  await checks.close();
  await results.close();
  await http.close();
  await closeRedis([redis]);
});
// Waits for Redis if it is not up yet (its connection says so, once per retry).
await scheduler.syncHostList();
if (!stopped) {
  log.info({ hosts: holder.current.hosts.length, version: holder.current.version, tickMs: scheduler.tickMs() }, "scheduler started");
  loop = startTickLoop(log, "tick", observeSchedulerTick(() => scheduler.tick()), () => scheduler.tickMs());
}
