#!/usr/bin/env node
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { Worker } from "bullmq";
import type { LoadedFleet } from "@fleetwatch/core";
import { AlertStore, bootstrapApp, onShutdown, queueOptions, QUEUES, startTickLoop, resolveNotifySettings } from "@fleetwatch/core";
import { Dispatcher } from "./dispatcher.js";
import { resultProcessor } from "./result-processor.js";
import { RobotSender } from "./robot-sender.js";

const { log, holder, connect } = bootstrapApp("fleetwatch-notifier");
const redis = connect();
const workerRedis = connect();
const store = new AlertStore(redis, (key, reason, newer) =>
  log.error({ key, reason }, newer ? "stored state written by a newer fleetwatch: left alone (upgrade this notifier)" : "stored state cannot be read: skipped"),
);
const id = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;

/** One sender per robot in every replica; a lock per robot lets one of them send. */
const senders = new Map<string, RobotSender>();
let settings = resolveNotifySettings(holder.current.config);
const syncRobots = (fleet: LoadedFleet) => {
  settings = resolveNotifySettings(fleet.config);
  const wanted = new Set(settings.robots.map((r) => r.name));
  for (const [name, sender] of senders) {
    if (!wanted.has(name)) {
      senders.delete(name);
      void sender.stop();
    }
  }
  for (const name of wanted) {
    if (senders.has(name)) continue;
    const sender = new RobotSender(redis, name, () => settings.robots.find((r) => r.name === name), id, log);
    senders.set(name, sender);
    sender.start();
  }
};
syncRobots(holder.current);

const dispatcher = new Dispatcher(redis, store, holder.current, id, log);
const results = new Worker(QUEUES.results, resultProcessor(store, () => dispatcher.staleAfter, log), {
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
  await loop.stop();
  await dispatcher.stop();
  await results.close();
  await Promise.all([...senders.values()].map((s) => s.stop()));
  await Promise.all([redis.quit(), workerRedis.quit()]);
});
log.info({ robots: [...senders.keys()], locale: settings.locale, tickMs: dispatcher.tickMs() }, "notifier started");
