import type { ChildProcess } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { hostOffset } from "@fleetwatch/core";
import { DingtalkStandIn, SimulatedFleet, startRedis } from "@fleetwatch/testkit";
import { redisInfo, sleep, startApp, stopApp } from "./bench-processes.js";
import { benchArgs, machine } from "./bench-args.js";
import { fixed, printTable, quantile } from "./print-table.js";
import { bytesPerHostByKey, redisKeyBytes } from "./redis-footprint.js";
import { processConnectionsTo, processCpuSeconds, processOpenFiles, processRssBytes } from "./proc-stat.js";

const LOOP_PRELOAD = fileURLToPath(new URL("./loop-delay-preload.js", import.meta.url));

interface SizeFigures {
  hosts: number;
  concurrency: number;
  expected: number;
  checked: number;
  missing: number;
  /** Checks that started later than 10 % of the interval after their slot. */
  late: number;
  lagP50Ms: number;
  lagP95Ms: number;
  lagMaxMs: number;
  workerCpuMsPerCheck: number;
  workerCpuPercent: number;
  schedulerCpuMsPerCheck: number;
  notifierCpuMsPerCheck: number;
  fleetCpuMsPerCheck: number;
  /** Messages the DingTalk stand-in accepted over the whole run. */
  messages: number;
  workerRssMiB: number;
  workerOpenFiles: number;
  workerRedisConnections: number;
  loopDelayP99Ms: number;
  loopDelayMaxMs: number;
  loginsInWindow: number;
  redisBytesPerHost: number;
  redisCommandsPerCheck: number;
  /** Redis bytes per host by kind of key at the end of the window (MEMORY USAGE). */
  keyBytesPerHost: Record<string, number>;
  holds: boolean;
}

/** (host, slot) pairs whose slot starts in [from, to). */
function expectedChecks(names: string[], intervalMs: number, from: number, to: number): number {
  let count = 0;
  for (const name of names) {
    const offset = hostOffset(name, intervalMs);
    const first = Math.ceil((from - offset) / intervalMs) * intervalMs + offset;
    for (let start = first; start < to; start += intervalMs) count += 1;
  }
  return count;
}

/** Each check's slot start and start lag, from the worker's `checked` log lines (JSON). */
function checksLogged(logFile: string): { slotStart: number; lagMs: number }[] {
  return readFileSync(logFile, "utf8")
    .split("\n")
    .filter((line) => line.includes('"msg":"checked"'))
    .map((line) => JSON.parse(line) as { slotStart: number; lagMs: number })
    .filter((c) => Number.isFinite(c.slotStart) && Number.isFinite(c.lagMs));
}

async function runSize(
  hosts: number,
  intervalMs: number,
  measureIntervals: number,
  concurrencyArg: number | undefined,
  workerFlags: string[],
  log: (line: string) => void,
): Promise<SizeFigures> {
  const concurrency = concurrencyArg ?? Math.max(50, Math.ceil((hosts / (intervalMs / 1000)) * 0.52 * 4));
  const redisHandle = await startRedis();
  const redis = new Redis(redisHandle.url, { maxRetriesPerRequest: null });
  const fleet = await SimulatedFleet.start({ hosts, brokenEvery: 50 });
  const apps: ChildProcess[] = [];
  const standIn = new DingtalkStandIn({ robots: { "fleet-bench": null } });
  try {
    await standIn.start();
    const config = join(fleet.dir, "fleet.yaml");
    writeFileSync(
      config,
      [
        "defaults:",
        `  ssh: { user: monitor, key: ${fleet.clientKeyPath}, knownHosts: ${fleet.knownHostsPath}, connectTimeout: 5s, handshakeTimeout: 10s, commandTimeout: 10s }`,
        `  interval: ${intervalMs / 1000}s`,
        // Processes every simulated host runs: a healthy fleet's steady state, where the broken hosts (1 in 50) and the full disks (1 in 40) page.
        "  processes: [sshd, cron]",
        "hosts:",
        ...fleet.hosts.map((h) => `  - { name: ${h.name}, address: ${h.address}, port: ${h.port} }`),
        "notify:",
        "  groupWait: 30s",
        "  dingtalk:",
        "    - { name: fleet-bench, webhook: ${FLEET_BENCH_HOOK} }",
        "",
      ].join("\n"),
    );
    const base = await redisInfo(redis);
    const loopFile = join(fleet.dir, "loop-delay.jsonl");
    const env = { REDIS_URL: redisHandle.url, HTTP_PORT: "off", LOG_FORMAT: "json" };
    const workerLog = join(fleet.dir, "worker.log");
    const scheduler = startApp("scheduler", config, { ...env, LOG_LEVEL: "warn" }, join(fleet.dir, "scheduler.log"));
    const worker = startApp("worker", config, { ...env, LOG_LEVEL: "info", WORKER_CONCURRENCY: String(concurrency), FLEETWATCH_BENCH_LOOP_FILE: loopFile }, workerLog, ["--import", LOOP_PRELOAD, ...workerFlags]);
    // The real notifier, one robot at the DingTalk stand-in: the whole pipeline's Redis state.
    const notifier = startApp("notifier", config, { ...env, LOG_LEVEL: "warn", FLEET_BENCH_HOOK: standIn.url("fleet-bench") }, join(fleet.dir, "notifier.log"));
    apps.push(scheduler, worker, notifier);

    // Warm-up: the first interval logs in to every host; measure from the second on.
    const start = Date.now();
    const windowStart = start + intervalMs + Math.min(30_000, intervalMs / 2);
    log(`  ${hosts} hosts: warming up (logins) until +${Math.round((windowStart - start) / 1000)} s, then measuring ${measureIntervals} interval(s); worker concurrency ${concurrency}`);
    await sleep(windowStart - Date.now());
    const cpuNow = () => ({ worker: processCpuSeconds(worker.pid!), scheduler: processCpuSeconds(scheduler.pid!), notifier: processCpuSeconds(notifier.pid!), fleet: fleet.cpuSeconds() });
    const at0 = { ...cpuNow(), counts: await fleet.counts(), redis: await redisInfo(redis) };
    const windowEnd = windowStart + measureIntervals * intervalMs;
    await sleep(windowEnd - Date.now());
    const at1 = { ...cpuNow(), counts: await fleet.counts(), redis: await redisInfo(redis) };
    const keyBytes = await redisKeyBytes(redis);
    const rss = processRssBytes(worker.pid!);
    const openFiles = processOpenFiles(worker.pid!);
    const redisConnections = processConnectionsTo(worker.pid!, redisHandle.port);
    // Checks whose slot began in the window may still be running: give them their deadline.
    await sleep(Math.min(intervalMs, 25_000));

    const inWindow = checksLogged(workerLog).filter((c) => c.slotStart >= windowStart && c.slotStart < windowEnd);
    const lags = inWindow.map((c) => c.lagMs);
    const expected = expectedChecks(fleet.hosts.map((h) => h.name), intervalMs, windowStart, windowEnd);
    const windowMs = windowEnd - windowStart;
    const checksInWindow = Math.max(1, inWindow.length);
    const loop = readFileSync(loopFile, "utf8")
      .split("\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { at: number; p99: number; max: number; rss: number })
      .filter((l) => l.at > windowStart && l.at <= windowEnd + 5_000);
    const late = lags.filter((lag) => lag > intervalMs * 0.1).length;
    const missing = Math.max(0, expected - inWindow.length);
    return {
      hosts,
      concurrency,
      expected,
      checked: inWindow.length,
      missing,
      late,
      lagP50Ms: quantile(lags, 0.5),
      lagP95Ms: quantile(lags, 0.95),
      lagMaxMs: quantile(lags, 1),
      workerCpuMsPerCheck: ((at1.worker - at0.worker) * 1000) / checksInWindow,
      workerCpuPercent: ((at1.worker - at0.worker) * 1000 * 100) / windowMs,
      schedulerCpuMsPerCheck: ((at1.scheduler - at0.scheduler) * 1000) / checksInWindow,
      notifierCpuMsPerCheck: ((at1.notifier - at0.notifier) * 1000) / checksInWindow,
      messages: standIn.received.length,
      fleetCpuMsPerCheck: ((at1.fleet - at0.fleet) * 1000) / checksInWindow,
      workerRssMiB: Math.max(rss, ...loop.map((l) => l.rss)) / 2 ** 20,
      workerOpenFiles: openFiles,
      workerRedisConnections: redisConnections,
      loopDelayP99Ms: Math.max(0, ...loop.map((l) => l.p99)),
      loopDelayMaxMs: Math.max(0, ...loop.map((l) => l.max)),
      loginsInWindow: at1.counts.logins - at0.counts.logins,
      redisBytesPerHost: (at1.redis.usedMemory - base.usedMemory) / hosts,
      redisCommandsPerCheck: (at1.redis.commands - at0.redis.commands) / checksInWindow,
      keyBytesPerHost: bytesPerHostByKey(keyBytes, hosts),
      holds: late === 0 && missing <= expected * 0.001,
    };
  } finally {
    for (const app of apps.reverse()) await stopApp(app);
    await standIn.stop();
    await fleet.close();
    redis.disconnect();
    await redisHandle.stop();
  }
}

/**
 * `npm run bench:fleet [-- --quick] [-- --json] [-- --hosts 2500,5000,7500]`: one worker
 * process (the real app, with the real scheduler, notifier and Redis, and a DingTalk
 * stand-in) against a simulated fleet, one size after another. Says for each size whether every check started within 10 % of the
 * interval after its slot, with the worker's CPU, RSS and event-loop delay, and Redis's
 * memory and commands.
 */
async function main(): Promise<void> {
  const args = benchArgs({ hosts: {}, interval: {}, intervals: {}, concurrency: {}, "worker-flags": {} });
  // e.g. --worker-flags="--cpu-prof --cpu-prof-dir=/tmp/prof" to see where the worker's time goes.
  const workerFlags = (args.values["worker-flags"] ?? "").split(" ").filter(Boolean);
  const sizes = (args.values.hosts ?? (args.quick ? "600" : "2500,5000,7500")).split(",").map(Number);
  const intervalMs = Number(args.values.interval ?? (args.quick ? 20 : 60)) * 1000;
  const measureIntervals = Number(args.values.intervals ?? (args.quick ? 1 : 2));
  const concurrency = args.values.concurrency ? Number(args.values.concurrency) : undefined;
  const log = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);
  log(`one worker process against a simulated fleet (1 host in 50 broken), interval ${intervalMs / 1000} s`);
  const rows: SizeFigures[] = [];
  for (const size of sizes) rows.push(await runSize(size, intervalMs, measureIntervals, concurrency, workerFlags, log));
  if (args.json) {
    console.log(JSON.stringify({ benchmark: "sustained-load", intervalMs, measureIntervals, machine: await machine(), sizes: rows }, null, 2));
    return;
  }
  console.log(`\ninterval ${intervalMs / 1000} s, measured over ${measureIntervals} interval(s) after one of warm-up; "late" = started more than ${intervalMs / 10_000} s after its slot\n`);
  printTable(rows, [
    { heading: "hosts", value: (r) => r.hosts },
    { heading: "holds", value: (r) => (r.holds ? "yes" : "no"), right: false },
    { heading: "checks", value: (r) => `${r.checked}/${r.expected}` },
    { heading: "late", value: (r) => r.late },
    { heading: "start lag p50/p95/max s", value: (r) => `${fixed(r.lagP50Ms / 1000, 2)}/${fixed(r.lagP95Ms / 1000, 2)}/${fixed(r.lagMaxMs / 1000, 2)}` },
    { heading: "worker CPU ms/check", value: (r) => fixed(r.workerCpuMsPerCheck, 2) },
    { heading: "worker CPU %", value: (r) => fixed(r.workerCpuPercent, 0) },
    { heading: "RSS MiB", value: (r) => fixed(r.workerRssMiB, 0) },
    { heading: "fds", value: (r) => r.workerOpenFiles },
    { heading: "Redis conns", value: (r) => r.workerRedisConnections },
    { heading: "loop delay p99/max ms", value: (r) => `${fixed(r.loopDelayP99Ms, 0)}/${fixed(r.loopDelayMaxMs, 0)}` },
    { heading: "logins in window", value: (r) => r.loginsInWindow },
    { heading: "scheduler ms/check", value: (r) => fixed(r.schedulerCpuMsPerCheck, 2) },
    { heading: "notifier ms/check", value: (r) => fixed(r.notifierCpuMsPerCheck, 2) },
    { heading: "sim fleet ms/check", value: (r) => fixed(r.fleetCpuMsPerCheck, 2) },
    { heading: "Redis B/host", value: (r) => fixed(r.redisBytesPerHost, 0) },
    { heading: "Redis cmds/check", value: (r) => fixed(r.redisCommandsPerCheck, 1) },
  ]);
  for (const r of rows) console.log(`\n${r.hosts} hosts: ${r.messages} message(s) at the DingTalk stand-in; Redis bytes per host by key: ${Object.entries(r.keyBytesPerHost).slice(0, 8).map(([k, n]) => `${k}: ${n}`).join("; ")}`);
  console.log(`\nmachine: ${JSON.stringify(await machine())} — a shared machine: figures are noisy`);
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
