#!/usr/bin/env node
import { randomUUID } from "node:crypto";
import { Worker } from "bullmq";
import type { LoadedFleet } from "@fleetwatch/core";
import { AlertStore, bootstrapApp, onShutdown, QUEUES, queueOptions, resolveNotifySettings } from "@fleetwatch/core";
import type { RobotDelivery } from "./delivery-worker.js";
import { startRobotDelivery } from "./delivery-worker.js";
import { Dispatcher } from "./dispatcher.js";
import { resultProcessor } from "./result-processor.js";

const { log, holder, connect } = bootstrapApp("fleetwatch-notifier");
const redis = connect();
const workerRedis = connect();
const store = new AlertStore(redis);

const robots = new Map<string, RobotDelivery>();
let settings = resolveNotifySettings(holder.current.config);
const syncRobots = (fleet: LoadedFleet) => {
  settings = resolveNotifySettings(fleet.config);
  const wanted = new Set(settings.robots.map((r) => r.name));
  for (const [name, delivery] of robots) {
    if (!wanted.has(name)) {
      robots.delete(name);
      void delivery.close();
    }
  }
  for (const name of wanted) {
    if (!robots.has(name)) robots.set(name, startRobotDelivery(() => settings.robots.find((r) => r.name === name), name, redis, workerRedis, log));
  }
};
syncRobots(holder.current);

const dispatcher = new Dispatcher(redis, store, (name) => robots.get(name)?.queue, holder.current, `${process.pid}-${randomUUID()}`, log);
const results = new Worker(QUEUES.results, resultProcessor(store, () => dispatcher.staleAfter, log), {
  ...queueOptions(QUEUES.results, workerRedis),
  concurrency: 8,
});
results.on("failed", (job, error) => log.warn({ jobId: job?.id, reason: error.message }, "result job failed"));
results.on("error", (error) => log.error({ err: error.message }, "results worker error"));

let timer: NodeJS.Timeout | undefined;
let running = true;
const loop = async () => {
  try {
    await dispatcher.tick();
  } catch (error) {
    log.error({ err: (error as Error).message }, "dispatch tick failed; retrying");
  }
  if (running) timer = setTimeout(() => void loop(), dispatcher.tickMs());
};

holder.onChange((next) => {
  syncRobots(next);
  dispatcher.useConfig(next);
});
onShutdown(log, async () => {
  running = false;
  clearTimeout(timer);
  await results.close();
  await Promise.all([...robots.values()].map((r) => r.close()));
  await Promise.all([redis.quit(), workerRedis.quit()]);
});
log.info({ robots: [...robots.keys()], locale: settings.locale, tickMs: dispatcher.tickMs() }, "notifier started");
void loop();
