#!/usr/bin/env node
import { Queue } from "bullmq";
import type { CheckJob, ResultJob } from "@fleetwatch/core";
import { bootstrapApp, onShutdown, QUEUES, queueOptions } from "@fleetwatch/core";
import { Scheduler } from "./scheduler.js";

const { log, holder, connect } = bootstrapApp("fleetwatch-scheduler");
const redis = connect();
const checks = new Queue<CheckJob>(QUEUES.checks, queueOptions(QUEUES.checks, redis));
const results = new Queue<ResultJob>(QUEUES.results, queueOptions(QUEUES.results, redis));
const scheduler = new Scheduler(redis, checks, results, holder.current, log);

let timer: NodeJS.Timeout | undefined;
let running = true;
const loop = async () => {
  try {
    await scheduler.tick();
  } catch (error) {
    log.error({ err: (error as Error).message }, "tick failed; retrying");
  }
  if (running) timer = setTimeout(() => void loop(), scheduler.tickMs());
};

holder.onChange((next) => {
  void scheduler.useConfig(next).catch((error: Error) => log.error({ err: error.message }, "applying the new config failed"));
});
onShutdown(log, async () => {
  running = false;
  clearTimeout(timer);
  await checks.close();
  await results.close();
  await redis.quit();
});

await scheduler.syncHostList();
log.info({ hosts: holder.current.hosts.length, version: holder.current.version, tickMs: scheduler.tickMs() }, "scheduler started");
void loop();
