#!/usr/bin/env node
import { randomUUID } from "node:crypto";
import { Worker } from "bullmq";
import type { LoadedFleet } from "@fleetwatch/core";
import {
  AlertStore,
  bootstrapApp,
  closeRedis,
  deliveriesInFlight,
  enableDispatchMetrics,
  KEYS,
  onShutdown,
  queueOptions,
  QUEUES,
  recordDispatch,
  resolveNotifySettings,
  startTickLoop,
  watchDeliveryOutcomes,
} from "@fleetwatch/core";
import type { RobotDelivery } from "./delivery-worker.js";
import { startRobotDelivery } from "./delivery-worker.js";
import { Dispatcher } from "./dispatcher.js";
import { resultProcessor } from "./result-processor.js";

const app = bootstrapApp("fleetwatch-notifier");
const { log, holder, connect } = app;
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
    if (!robots.has(name)) {
      const delivery = startRobotDelivery(() => settings.robots.find((r) => r.name === name), name, redis, workerRedis, log);
      delivery.queue.on("error", app.onQueueError("notification queue", { robot: name }));
      // Connection trouble is said once per retry round by the app; other errors still logged.
      delivery.worker.removeAllListeners("error");
      delivery.worker.on("error", app.onQueueError("delivery worker", { robot: name }));
      watchDeliveryOutcomes(delivery.worker, name);
      robots.set(name, delivery);
    }
  }
};
syncRobots(holder.current);

const dispatcherId = `${process.pid}-${randomUUID()}`;
const dispatcher = new Dispatcher(redis, store, (name) => robots.get(name)?.queue, holder.current, dispatcherId, log);
const results = new Worker(QUEUES.results, resultProcessor(store, () => dispatcher.staleAfter, log), {
  ...queueOptions(QUEUES.results, workerRedis),
  concurrency: 8,
});
results.on("failed", (job, error) => log.warn({ jobId: job?.id, reason: error.message }, "result job failed"));
results.on("error", app.onQueueError("results worker"));

holder.onChange((next) => {
  syncRobots(next);
  dispatcher.useConfig(next);
});
const http = await app.serveHttp(redis);
enableDispatchMetrics();
/** A round counts as a dispatch when this replica held the dispatcher lock (the leader). */
const dispatchTick = async () => {
  await dispatcher.tick();
  if ((await redis.get(KEYS.dispatcherLock)) === dispatcherId) recordDispatch();
};
const loop = startTickLoop(log, "dispatch tick", dispatchTick, () => dispatcher.tickMs());
onShutdown(log, async () => {
  http.markStopping();
  if (app.abandonIfRedisDown()) return;
  await loop.stop();
  await results.close();
  const delivering = deliveriesInFlight();
  if (delivering.length > 0) {
    log.info({ robots: delivering }, `waiting for the DingTalk delivery in flight (${delivering.join(", ")}) to finish; queued notifications stay in Redis`);
  }
  await Promise.all([...robots.values()].map((r) => r.close()));
  await http.close();
  await closeRedis([redis, workerRedis]);
});
log.info({ robots: [...robots.keys()], locale: settings.locale, tickMs: dispatcher.tickMs() }, "notifier started");
