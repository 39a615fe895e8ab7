#!/usr/bin/env node
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import { Worker } from "bullmq";
import type { LoadedFleet } from "@fleetwatch/core";
import { AlertStore, appendTimeline, bootstrapApp, closeRedis, enableDispatchMetrics, enableNotificationMetrics, expireHostHistory, KEYS, onShutdown, queueOptions, QUEUES, recordDispatch, resolveNotifySettings, robotCoverageWarnings, startTickLoop } from "@fleetwatch/core";
import { Dispatcher } from "./dispatcher.js";
import { resultProcessor } from "./result-processor.js";
import { RobotSender } from "./robot-sender.js";

const app = bootstrapApp("fleetwatch-notifier");
const { log, holder, connect } = app;
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

/** Alerts that would reach no robot: said at start and on reload, and kept for `fleetwatch status`. */
const reportRobotCoverage = (fleet: LoadedFleet) => {
  const warnings = robotCoverageWarnings(fleet.config);
  for (const problem of warnings) log.warn({ problem }, "alerts reach no robot");
  redis.set(KEYS.setupWarnings, JSON.stringify(warnings)).catch((error: Error) => log.warn({ err: error.message }, "cannot record set-up warnings"));
};
reportRobotCoverage(holder.current);

const dispatcher = new Dispatcher(redis, store, holder.current, id, log);
const results = new Worker(QUEUES.results, resultProcessor(store, () => dispatcher.staleAfter, log, {
  append: (events) => appendTimeline(redis, events),
  expire: (host) => expireHostHistory(redis, host),
}), {
  ...queueOptions(QUEUES.results, workerRedis),
  concurrency: 8,
});
results.on("failed", (job, error) => log.warn({ jobId: job?.id, reason: error.message }, "result job failed"));
results.on("error", app.onQueueError("results worker"));

holder.onChange((next) => {
  syncRobots(next);
  reportRobotCoverage(next);
  dispatcher.useConfig(next);
});
const http = await app.serveHttp(redis);
enableNotificationMetrics();
enableDispatchMetrics();
/** A round counts as a dispatch when this replica held the dispatcher lock (`id|token`): it leads. */
const dispatchTick = async () => {
  await dispatcher.tick();
  if ((await redis.get(KEYS.dispatcherLock))?.startsWith(`${id}|`)) recordDispatch();
};
const loop = startTickLoop(log, "dispatch tick", dispatchTick, () => dispatcher.nextTickMs());
onShutdown(log, async () => {
  http.markStopping();
  if (app.abandonIfRedisDown()) return;
  await loop.stop();
  await dispatcher.stop();
  await results.close();
  if (senders.size > 0) log.info({ robots: [...senders.keys()] }, "waiting for the DingTalk message in flight, if any; queued notifications stay in Redis");
  await Promise.all([...senders.values()].map((s) => s.stop()));
  await http.close();
  await closeRedis([redis, workerRedis]);
});
log.info({ robots: [...senders.keys()], locale: settings.locale, tickMs: dispatcher.tickMs() }, "notifier started");
