#!/usr/bin/env node
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { Queue } from "bullmq";
import type { ResultJob } from "@fleetwatch/core";
import { bootstrapApp, CheckQueues, closeRedis, observeSchedulerTick, onShutdown, queueOptions, QUEUES, recordFleetSize, startTickLoop } from "@fleetwatch/core";
import { Scheduler } from "./scheduler.js";

const app = bootstrapApp("fleetwatch-scheduler");
const { log, holder, connect } = app;
const redis = connect();
// One queue per check shard: a host's checks go to the shard its name hashes to.
const checks = new CheckQueues(redis);
const results = new Queue<ResultJob>(QUEUES.results, queueOptions(QUEUES.results, redis));
for (const queue of checks.all()) queue.on("error", app.onQueueError("checks queue"));
results.on("error", app.onQueueError("results queue"));
const scheduler = new Scheduler(redis, (queueName) => checks.named(queueName), results, holder.current, `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`, log);
recordFleetSize(holder.current.hosts.length);

holder.onChange((next) => {
  recordFleetSize(next.hosts.length);
  scheduler.useConfig(next);
});
const http = await app.serveHttp(redis);
log.info({ hosts: holder.current.hosts.length, version: holder.current.version, tickMs: scheduler.tickMs(), leaseMs: scheduler.leaseMs() }, "scheduler started");
const loop = startTickLoop(log, "tick", observeSchedulerTick(() => scheduler.tick()), () => scheduler.tickMs());
onShutdown(log, async () => {
  http.markStopping();
  if (app.abandonIfRedisDown()) return;
  log.info("waiting for the scheduling round in progress to finish; no new checks are enqueued");
  await loop.stop();
  await scheduler.stop();
  await checks.close();
  await results.close();
  await http.close();
  await closeRedis([redis]);
});
