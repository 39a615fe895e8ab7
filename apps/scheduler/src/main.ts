#!/usr/bin/env node
import { Queue } from "bullmq";
import type { CheckJob, ResultJob } from "@fleetwatch/core";
import { bootstrapApp, onShutdown, queueOptions, QUEUES, startTickLoop } from "@fleetwatch/core";
import { Scheduler } from "./scheduler.js";

const { log, holder, connect } = bootstrapApp("fleetwatch-scheduler");
const redis = connect();
const checks = new Queue<CheckJob>(QUEUES.checks, queueOptions(QUEUES.checks, redis));
const results = new Queue<ResultJob>(QUEUES.results, queueOptions(QUEUES.results, redis));
const scheduler = new Scheduler(redis, checks, results, holder.current, log);

holder.onChange((next) => {
  void scheduler.useConfig(next).catch((error: Error) => log.error({ err: error.message }, "applying the new config failed"));
});
await scheduler.syncHostList();
log.info({ hosts: holder.current.hosts.length, version: holder.current.version, tickMs: scheduler.tickMs() }, "scheduler started");
const loop = startTickLoop(log, "tick", () => scheduler.tick(), () => scheduler.tickMs());
onShutdown(log, async () => {
  loop.stop();
  await checks.close();
  await results.close();
  await redis.quit();
});

