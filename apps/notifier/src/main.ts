#!/usr/bin/env node
import { randomUUID } from "node:crypto";
import { Worker } from "bullmq";
import type { LoadedFleet } from "@fleetwatch/core";
import { AlertStore, appendTimeline, bootstrapApp, expireHostHistory, onShutdown, queueOptions, QUEUES, startTickLoop, resolveNotifySettings } from "@fleetwatch/core";
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
const results = new Worker(QUEUES.results, resultProcessor(store, () => dispatcher.staleAfter, log, {
  append: (events) => appendTimeline(redis, events),
  expire: (host) => expireHostHistory(redis, host),
}), {
  ...queueOptions(QUEUES.results, workerRedis),
  concurrency: 8,
});
results.on("failed", (job, error) => log.warn({ jobId: job?.id, reason: error.message }, "result job failed"));
results.on("error", (error) => log.error({ err: error.message }, "results worker error"));

holder.onChange((next) => {
  syncRobots(next);
  dispatcher.useConfig(next);
});
const loop = startTickLoop(log, "dispatch tick", () => dispatcher.tick(), () => dispatcher.tickMs());
onShutdown(log, async () => {
  loop.stop();
  await results.close();
  await Promise.all([...robots.values()].map((r) => r.close()));
  await Promise.all([redis.quit(), workerRedis.quit()]);
});
log.info({ robots: [...robots.keys()], locale: settings.locale, tickMs: dispatcher.tickMs() }, "notifier started");
