#!/usr/bin/env node
import type { Job } from "bullmq";
import { Queue, Worker } from "bullmq";
import type { ResultJob } from "@fleetwatch/core";
import { bootstrapApp, closeRedis, observeChecks, onShutdown, QUEUES, queueOptions, SshConnectionPool, sshFilesReadiness } from "@fleetwatch/core";
import { checkProcessor } from "./check-processor.js";
import { workerSettings } from "./worker-settings.js";

const app = bootstrapApp("fleetwatch-worker");
const { log, holder, connect } = app;
const redis = connect();
const workerRedis = connect();
const results = new Queue<ResultJob>(QUEUES.results, queueOptions(QUEUES.results, redis));
const settings = workerSettings(holder.current);
const pool = new SshConnectionPool({ maxConnections: settings.maxConnections });
const checks = observeChecks(checkProcessor(redis, results, log, pool));
const worker = new Worker(QUEUES.checks, checks.processor, {
  ...queueOptions(QUEUES.checks, workerRedis),
  concurrency: settings.concurrency,
  lockDuration: settings.lockDurationMs,
  stalledInterval: settings.stalledIntervalMs,
  maxStalledCount: 2,
});
worker.on("failed", (job, error) => log.warn({ jobId: job?.id, reason: error.message }, "check job failed"));
worker.on("error", app.onQueueError("worker"));
results.on("error", app.onQueueError("results queue"));

holder.onChange((next) => {
  const updated = workerSettings(next);
  worker.concurrency = updated.concurrency;
});
const http = await app.serveHttp(redis, [sshFilesReadiness(holder)]);

/** Names and the longest deadline of the checks running now, for the shutdown line. */
function describeInFlight(jobs: readonly Job[]): { hosts: string[]; deadlineMs: number } {
  let deadlineMs = 0;
  const hosts = jobs.map((job) => {
    const host = (job.data as { host?: { name?: string; ssh?: Record<string, number> } }).host;
    const ssh = host?.ssh ?? {};
    deadlineMs = Math.max(deadlineMs, (ssh.connectTimeoutMs ?? 0) + (ssh.handshakeTimeoutMs ?? 0) + (ssh.commandTimeoutMs ?? 0));
    return host?.name ?? String(job.id);
  });
  return { hosts, deadlineMs };
}

onShutdown(log, async () => {
  http.markStopping();
  if (app.abandonIfRedisDown()) return;
  const running = [...checks.items];
  const closing = worker.close();
  if (running.length > 0) {
    const { hosts, deadlineMs } = describeInFlight(running);
    log.info(
      { checks: running.length, hosts: hosts.slice(0, 20), deadlineMs },
      `waiting for ${running.length} check(s) in flight to finish (${hosts.slice(0, 5).join(", ")}${hosts.length > 5 ? ", …" : ""}; at most ${Math.ceil(deadlineMs / 1000)} s, their deadlines); no new checks are taken`,
    );
  }
  await closing;
  // The checks are done: close the kept SSH connections (sshd sees a clean disconnect).
  pool.close();
  await results.close();
  await http.close();
  await closeRedis([redis, workerRedis]);
});
log.info(settings, "worker started");
