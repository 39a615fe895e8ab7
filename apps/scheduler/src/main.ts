#!/usr/bin/env node
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { Queue } from "bullmq";
import type { CheckJob, ResultJob } from "@fleetwatch/core";
import { bootstrapApp, onShutdown, queueOptions, QUEUES, startTickLoop } from "@fleetwatch/core";
import { Scheduler } from "./scheduler.js";

const { log, holder, connect } = bootstrapApp("fleetwatch-scheduler");
const redis = connect();
const checks = new Queue<CheckJob>(QUEUES.checks, queueOptions(QUEUES.checks, redis));
const results = new Queue<ResultJob>(QUEUES.results, queueOptions(QUEUES.results, redis));
const scheduler = new Scheduler(redis, checks, results, holder.current, `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`, log);

holder.onChange((next) => scheduler.useConfig(next));
log.info({ hosts: holder.current.hosts.length, version: holder.current.version, tickMs: scheduler.tickMs(), leaseMs: scheduler.leaseMs() }, "scheduler started");
const loop = startTickLoop(log, "tick", () => scheduler.tick(), () => scheduler.tickMs());
onShutdown(log, async () => {
  await loop.stop();
  await scheduler.stop();
  await checks.close();
  await results.close();
  await redis.quit();
});
