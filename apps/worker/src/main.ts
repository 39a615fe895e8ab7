#!/usr/bin/env node
import { randomUUID } from "node:crypto";
import { hostname } from "node:os";
import type { Job } from "bullmq";
import { Queue } from "bullmq";
import type { ResultJob } from "@fleetwatch/core";
import { bootstrapApp, closeRedis, CpuBaselines, observeChecks, onShutdown, QUEUES, queueOptions, ShardLeases, SshConnectionPool, sshFilesReadiness, startTickLoop } from "@fleetwatch/core";
import { checkProcessor } from "./check-processor.js";
import { ShardConsumers } from "./shard-consumers.js";
import { workerSettings } from "./worker-settings.js";

const app = bootstrapApp("fleetwatch-worker");
const { log, holder, connect } = app;
const redis = connect();
const workerRedis = connect();
const results = new Queue<ResultJob>(QUEUES.results, queueOptions(QUEUES.results, redis));
const settings = workerSettings(holder.current);
const pool = new SshConnectionPool({ maxConnections: settings.maxConnections });
// What each host's last check left for the next one's CPU figure, while this worker holds it.
const cpuBaselines = new CpuBaselines(redis, settings.maxConnections);
const checks = observeChecks(checkProcessor(redis, results, log, pool, cpuBaselines));
// Each host's checks come to the worker leasing its shard, the one that keeps its connection.
const workerId = `${hostname()}-${process.pid}-${randomUUID().slice(0, 8)}`;
const leases = new ShardLeases(redis, workerId, settings.shardLeaseMs);
const consumers = new ShardConsumers(workerRedis, leases, checks.processor, settings, log, app.onQueueError("worker"), (shard) => cpuBaselines.forgetShard(shard));
results.on("error", app.onQueueError("results queue"));

holder.onChange((next) => consumers.setOptions(workerSettings(next)));
const renewing = startTickLoop(log, "shard lease renewal", () => consumers.renew(), () => settings.shardRenewMs);
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
  await renewing.stop();
  // Stop taking checks; once those in flight are done, hand every shard back at once.
  const closing = consumers.close();
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
log.info({ ...settings, worker: workerId }, "worker started");
