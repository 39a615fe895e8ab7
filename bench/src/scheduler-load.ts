import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Worker } from "bullmq";
import { Redis } from "ioredis";
import type { CheckJob } from "@fleetwatch/core";
import { CHECK_SHARD_COUNT, checkQueueName, checkShards, hostOffset, queueOptions } from "@fleetwatch/core";
import { freePort, startRedis } from "@fleetwatch/testkit";
import { benchArgs, machine } from "./bench-args.js";
import { redisInfo, sleep, startApp, stopApp } from "./bench-processes.js";
import { fixed, printTable, quantile } from "./print-table.js";
import { processCpuSeconds, processRssBytes } from "./proc-stat.js";
import { bytesPerHostByKey, callsPer, redisCommandCalls, redisKeyBytes, schedulerTicks, tickQuantileBound } from "./redis-footprint.js";

interface SchedulerFigures {
  hosts: number;
  expected: number;
  enqueued: number;
  lagP50Ms: number;
  lagP95Ms: number;
  lagMaxMs: number;
  schedulerCpuPercent: number;
  schedulerCpuMsPerCheck: number;
  schedulerRssMiB: number;
  redisBytesPerHost: number;
  redisCommandsPerCheck: number;
  /** Checks enqueued per 60 s of the measured window. */
  checksPer60s: number;
  /** The scheduler's rounds in the window: how many, mean and 95th-percentile bound (histogram bucket), ms. */
  ticks: number;
  tickMeanMs: number;
  tickP95BoundMs: number;
  /** Redis calls per check by command (the scheduler's and the stand-in workers'; scripts' inner calls included). */
  commandsPerCheck: Record<string, number>;
  /** Bytes per host by kind of key at the end of the window (MEMORY USAGE). */
  keyBytesPerHost: Record<string, number>;
  keeps: boolean;
}

function expectedChecks(names: string[], intervalMs: number, from: number, to: number): number {
  let count = 0;
  for (const name of names) {
    const offset = hostOffset(name, intervalMs);
    for (let start = Math.ceil((from - offset) / intervalMs) * intervalMs + offset; start < to; start += intervalMs) count += 1;
  }
  return count;
}

async function runSize(hosts: number, intervalMs: number, measureIntervals: number, log: (line: string) => void): Promise<SchedulerFigures> {
  const dir = mkdtempSync(join(tmpdir(), "fleetwatch-bench-scheduler-"));
  const redisHandle = await startRedis();
  const redis = new Redis(redisHandle.url, { maxRetriesPerRequest: null });
  const connection = new Redis(redisHandle.url, { maxRetriesPerRequest: null });
  let scheduler: ChildProcess | undefined;
  let workers: Worker[] = [];
  try {
    const names = Array.from({ length: hosts }, (_, i) => `h${String(i).padStart(6, "0")}`);
    const config = join(dir, "fleet.yaml");
    writeFileSync(
      config,
      [
        "defaults:",
        "  ssh: { user: monitor, key: /etc/fleetwatch/id_ed25519, knownHosts: /etc/fleetwatch/known_hosts }",
        `  interval: ${intervalMs / 1000}s`,
        "hosts:",
        ...names.map((name, i) => `  - { name: ${name}, address: 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255} }`),
        "",
      ].join("\n"),
    );
    const base = await redisInfo(redis);
    const seen: { slotStart: number; createdAt: number }[] = [];
    // Workers that complete every job at once, one per check shard: only the scheduler's pace is measured.
    workers = checkShards().map(
      (shard) =>
        new Worker<CheckJob>(
          checkQueueName(shard),
          async (job) => {
            seen.push({ slotStart: job.data.slotStart, createdAt: job.timestamp });
          },
          { ...queueOptions(checkQueueName(shard), connection), concurrency: Math.ceil(1_000 / CHECK_SHARD_COUNT) },
        ),
    );
    const httpPort = await freePort();
    const metricsUrl = `http://127.0.0.1:${httpPort}/metrics`;
    scheduler = startApp("scheduler", config, { REDIS_URL: redisHandle.url, HTTP_HOST: "127.0.0.1", HTTP_PORT: String(httpPort), LOG_LEVEL: "warn" }, join(dir, "scheduler.log"));
    const start = Date.now();
    const windowStart = start + intervalMs + Math.min(30_000, intervalMs / 2);
    const windowEnd = windowStart + measureIntervals * intervalMs;
    log(`  ${hosts} hosts: measuring slots from +${Math.round((windowStart - start) / 1000)} s for ${measureIntervals} interval(s)`);
    await sleep(windowStart - Date.now());
    const at0 = { cpu: processCpuSeconds(scheduler.pid!), redis: await redisInfo(redis), calls: await redisCommandCalls(redis), ticks: await schedulerTicks(metricsUrl) };
    await sleep(windowEnd - Date.now());
    const at1 = { cpu: processCpuSeconds(scheduler.pid!), redis: await redisInfo(redis), calls: await redisCommandCalls(redis), ticks: await schedulerTicks(metricsUrl) };
    const keyBytes = await redisKeyBytes(redis);
    const rss = processRssBytes(scheduler.pid!);
    await sleep(Math.min(intervalMs / 2, 15_000));
    const inWindow = seen.filter((s) => s.slotStart >= windowStart && s.slotStart < windowEnd);
    const lags = inWindow.map((s) => s.createdAt - s.slotStart);
    const expected = expectedChecks(names, intervalMs, windowStart, windowEnd);
    const checks = Math.max(1, inWindow.length);
    return {
      hosts,
      expected,
      enqueued: inWindow.length,
      lagP50Ms: quantile(lags, 0.5),
      lagP95Ms: quantile(lags, 0.95),
      lagMaxMs: quantile(lags, 1),
      schedulerCpuPercent: ((at1.cpu - at0.cpu) * 1000 * 100) / (windowEnd - windowStart),
      schedulerCpuMsPerCheck: ((at1.cpu - at0.cpu) * 1000) / checks,
      schedulerRssMiB: rss / 2 ** 20,
      redisBytesPerHost: (at1.redis.usedMemory - base.usedMemory) / hosts,
      redisCommandsPerCheck: (at1.redis.commands - at0.redis.commands) / checks,
      checksPer60s: (inWindow.length * 60_000) / (windowEnd - windowStart),
      ticks: at1.ticks.count - at0.ticks.count,
      tickMeanMs: ((at1.ticks.sum - at0.ticks.sum) * 1000) / Math.max(1, at1.ticks.count - at0.ticks.count),
      tickP95BoundMs: tickQuantileBound(at0.ticks, at1.ticks, 0.95) * 1000,
      commandsPerCheck: callsPer(at0.calls, at1.calls, checks),
      keyBytesPerHost: bytesPerHostByKey(keyBytes, hosts),
      keeps: inWindow.length >= expected * 0.999 && quantile(lags, 0.95) <= intervalMs * 0.1,
    };
  } finally {
    if (scheduler) await stopApp(scheduler);
    await Promise.all(workers.map((w) => w.close()));
    connection.disconnect();
    redis.disconnect();
    await redisHandle.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `npm run bench:scheduler [-- --quick] [-- --json] [-- --hosts 10000,100000]`: the real
 * scheduler app alone on one Redis, with workers that complete every job at once. Says
 * whether every host got its check in each slot, how late it was enqueued, and what it cost
 * the scheduler and Redis.
 */
async function main(): Promise<void> {
  const args = benchArgs({ hosts: {}, interval: {}, intervals: {} });
  const sizes = (args.values.hosts ?? (args.quick ? "2000" : "10000,100000")).split(",").map(Number);
  const intervalMs = Number(args.values.interval ?? (args.quick ? 20 : 60)) * 1000;
  const measureIntervals = Number(args.values.intervals ?? (args.quick ? 1 : 2));
  const log = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);
  log(`the scheduler alone, workers completing every job at once, interval ${intervalMs / 1000} s`);
  const rows: SchedulerFigures[] = [];
  for (const size of sizes) rows.push(await runSize(size, intervalMs, measureIntervals, log));
  if (args.json) {
    console.log(JSON.stringify({ benchmark: "scheduler-load", intervalMs, measureIntervals, machine: await machine(), sizes: rows }, null, 2));
    return;
  }
  console.log(`\ninterval ${intervalMs / 1000} s, ${measureIntervals} interval(s) measured after one of warm-up; lag = job created − slot start\n`);
  printTable(rows, [
    { heading: "hosts", value: (r) => r.hosts },
    { heading: "keeps up", value: (r) => (r.keeps ? "yes" : "no"), right: false },
    { heading: "checks enqueued", value: (r) => `${r.enqueued}/${r.expected}` },
    { heading: "checks/60 s", value: (r) => Math.round(r.checksPer60s) },
    { heading: "tick mean/p95≤ ms", value: (r) => `${fixed(r.tickMeanMs, 0)}/${r.tickP95BoundMs}` },
    { heading: "enqueue lag p50/p95/max s", value: (r) => `${fixed(r.lagP50Ms / 1000, 2)}/${fixed(r.lagP95Ms / 1000, 2)}/${fixed(r.lagMaxMs / 1000, 1)}` },
    { heading: "scheduler CPU %", value: (r) => fixed(r.schedulerCpuPercent, 0) },
    { heading: "scheduler ms/check", value: (r) => fixed(r.schedulerCpuMsPerCheck, 2) },
    { heading: "scheduler RSS MiB", value: (r) => fixed(r.schedulerRssMiB, 0) },
    { heading: "Redis B/host", value: (r) => fixed(r.redisBytesPerHost, 0) },
    { heading: "Redis cmds/check", value: (r) => fixed(r.redisCommandsPerCheck, 1) },
  ]);
  for (const r of rows) {
    console.log(`\n${r.hosts} hosts: Redis calls per check by command (scheduler and stand-in workers, scripts' inner calls included)`);
    console.log(Object.entries(r.commandsPerCheck).slice(0, 12).map(([c, n]) => `${c} ${n}`).join(", "));
    console.log(`${r.hosts} hosts: Redis bytes per host by key (MEMORY USAGE at the end of the window)`);
    console.log(Object.entries(r.keyBytesPerHost).slice(0, 8).map(([k, n]) => `${k}: ${n}`).join("; "));
  }
  console.log(`\nmachine: ${JSON.stringify(await machine())} — a shared machine: figures are noisy`);
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
