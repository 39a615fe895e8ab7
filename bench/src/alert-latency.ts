import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { ResultJob } from "@fleetwatch/core";
import { createRedis, queueOptions, QUEUES } from "@fleetwatch/core";
import type { RedisClusterHandle, RedisHandle } from "@fleetwatch/testkit";
import { DingtalkStandIn, sampleResult, startRedis, startRedisCluster, waitFor } from "@fleetwatch/testkit";
import { benchArgs, machine } from "./bench-args.js";
import { sleep, startApp, stopApp } from "./bench-processes.js";
import { fixed, printTable, quantile } from "./print-table.js";

interface LatencyRun {
  redis: "single" | "cluster";
  robots: number;
  groups: number;
  samples: number;
  delivered: number;
  groupWaitMs: number;
  /** From the finish of the check that fires an alert to its FIRING message at the stand-in. */
  p50Ms: number;
  p95Ms: number;
  maxMs: number;
  /** The same, for the first alert of each group only (the one that waits the whole groupWait). */
  firstOfGroupP95Ms: number;
  meetsGoal: boolean;
}

interface Plan {
  robots: number;
  groups: number;
  hostsPerGroup: number;
  groupWaitMs: number;
  /** Firings are spread over this window, so they fall at every phase of the dispatcher's tick. */
  spreadMs: number;
}

const hostName = (group: number, host: number) => `lat-g${String(group).padStart(3, "0")}-h${String(host).padStart(2, "0")}`;
const groupName = (group: number) => `g${String(group).padStart(3, "0")}`;

function fleetFile(plan: Plan): string {
  const groups = Array.from({ length: plan.groups }, (_, g) => groupName(g));
  return [
    `groups: { ${groups.map((g) => `${g}: {}`).join(", ")} }`,
    "defaults:",
    "  ssh: { user: monitor, key: /etc/fleetwatch/id_ed25519, knownHosts: /etc/fleetwatch/known_hosts }",
    "hosts:",
    ...groups.flatMap((g, gi) => Array.from({ length: plan.hostsPerGroup }, (_, h) => `  - { name: ${hostName(gi, h)}, address: 127.0.0.1, group: ${g} }`)),
    "notify:",
    `  groupWait: ${plan.groupWaitMs}ms`,
    "  groupInterval: 5m",
    "  repeatInterval: 4h",
    "  locale: en",
    "  timezone: UTC",
    "  dingtalk:",
    ...Array.from({ length: plan.robots }, (_, r) => [
      `    - name: robot-${r}`,
      `      webhook: \${LATENCY_HOOK_${r}}`,
      `      route: { groups: [${groups.filter((_, gi) => gi % plan.robots === r).join(", ")}] }`,
    ]).flat(),
    "",
  ].join("\n");
}

/** One result job, as a worker publishes it right after the check finished: a required process is missing. */
function firingJob(host: string, group: string, finishedAt: number): ResultJob {
  const intervalMs = 600_000;
  const slotStart = Math.floor(finishedAt / intervalMs) * intervalMs;
  const result = sampleResult({ host, group, at: finishedAt, state: "critical", missing: ["app"], checks: [{ name: "process:app", state: "critical", message: "app is not running" }] });
  return { kind: "result", slot: 0, slotStart, intervalMs, for: 1, result };
}

async function runOnce(plan: Plan, cluster: boolean, log: (line: string) => void): Promise<LatencyRun> {
  const dir = mkdtempSync(join(tmpdir(), "fleetwatch-bench-latency-"));
  const tokens = Array.from({ length: plan.robots }, (_, r) => `latency-robot-${r}`);
  const standIn = new DingtalkStandIn({ robots: Object.fromEntries(tokens.map((t) => [t, null])) });
  let single: RedisHandle | undefined;
  let many: RedisClusterHandle | undefined;
  let notifier: ChildProcess | undefined;
  let redis: Redis | undefined;
  let queue: Queue<ResultJob> | undefined;
  try {
    await standIn.start();
    if (cluster) many = await startRedisCluster();
    else single = await startRedis();
    const url = many?.url ?? single!.url;
    redis = createRedis(url);
    queue = new Queue<ResultJob>(QUEUES.results, queueOptions(QUEUES.results, redis));
    const config = join(dir, "fleet.yaml");
    writeFileSync(config, fleetFile(plan));
    const hooks = Object.fromEntries(tokens.map((t, r) => [`LATENCY_HOOK_${r}`, standIn.url(t)]));
    notifier = startApp("notifier", config, { REDIS_URL: url, HTTP_PORT: "off", LOG_LEVEL: "warn", ...hooks }, join(dir, "notifier.log"));
    await waitFor("the notifier to take the dispatcher lock", async () => (await redis!.exists("fleetwatch:{alerts}:dispatcher-lock")) === 1, 30_000);

    // Each group's hosts fire at random moments spread over the window, groups interleaved.
    const firings = Array.from({ length: plan.groups }, (_, g) => Array.from({ length: plan.hostsPerGroup }, (_, h) => ({ host: hostName(g, h), group: groupName(g), offset: Math.random() * plan.spreadMs }))).flat();
    firings.sort((a, b) => a.offset - b.offset);
    const finished = new Map<string, number>();
    const t0 = Date.now();
    for (const f of firings) {
      await sleep(Math.max(0, t0 + f.offset - Date.now()));
      const at = Date.now();
      finished.set(f.host, at);
      await queue.add("result", firingJob(f.host, f.group, at), { jobId: `${f.host}.latency`, removeOnComplete: true });
    }
    const deadline = plan.groupWaitMs + plan.spreadMs + 30_000;
    const arrivedAt = (host: string) => standIn.received.find((m) => m.title.includes("FIRING") && m.text.includes(host))?.at;
    await waitFor("every FIRING message", () => [...finished.keys()].every((h) => arrivedAt(h) !== undefined), deadline).catch(() => log("  some alerts were not delivered in time"));

    const latencies = [...finished].flatMap(([host, at]) => {
      const arrived = arrivedAt(host);
      return arrived === undefined ? [] : [{ host, ms: arrived - at }];
    });
    const firstOfGroup = Array.from({ length: plan.groups }, (_, g) => {
      const hosts = Array.from({ length: plan.hostsPerGroup }, (_, h) => hostName(g, h));
      const first = hosts.reduce((a, b) => (finished.get(a)! <= finished.get(b)! ? a : b));
      return latencies.find((l) => l.host === first)?.ms ?? NaN;
    }).filter(Number.isFinite);
    const ms = latencies.map((l) => l.ms);
    const p95 = quantile(ms, 0.95);
    return {
      redis: cluster ? "cluster" : "single",
      robots: plan.robots,
      groups: plan.groups,
      samples: finished.size,
      delivered: latencies.length,
      groupWaitMs: plan.groupWaitMs,
      p50Ms: quantile(ms, 0.5),
      p95Ms: p95,
      maxMs: quantile(ms, 1),
      firstOfGroupP95Ms: quantile(firstOfGroup, 0.95),
      meetsGoal: latencies.length === finished.size && p95 <= plan.groupWaitMs + 2_000,
    };
  } finally {
    if (notifier) await stopApp(notifier);
    await queue?.close();
    redis?.disconnect();
    await single?.stop();
    await many?.stop();
    await standIn.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * `npm run bench:latency [-- --quick] [-- --json] [-- --cluster]`: the real notifier app fed
 * with result jobs as workers publish them (a required process missing, `for: 1`), alerts
 * spread over groups and robots. Latency is from the finish of the check that makes an alert
 * fire to its FIRING message at the DingTalk stand-in; the goal is p95 ≤ groupWait + 2 s.
 * `--cluster` adds a run on a three-master Redis Cluster.
 */
async function main(): Promise<void> {
  const args = benchArgs({ groups: {}, robots: {}, "group-wait": {} }, ["cluster"]);
  const quick = args.quick;
  const plan: Plan = {
    robots: Number(args.values.robots ?? 4),
    groups: Number(args.values.groups ?? (quick ? 8 : 40)),
    hostsPerGroup: 3,
    groupWaitMs: Number(args.values["group-wait"] ?? (quick ? 5 : 30)) * 1000,
    spreadMs: quick ? 5_000 : 30_000,
  };
  const log = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);
  log(`alert latency: ${plan.groups} groups × ${plan.hostsPerGroup} hosts over ${plan.robots} robots, groupWait ${plan.groupWaitMs / 1000} s, firings spread over ${plan.spreadMs / 1000} s`);
  const rows: LatencyRun[] = [await runOnce(plan, false, log)];
  if (args.flags.cluster) rows.push(await runOnce(plan, true, log));
  if (args.json) {
    console.log(JSON.stringify({ benchmark: "alert-latency", plan, machine: await machine(), runs: rows }, null, 2));
    return;
  }
  console.log("");
  printTable(rows, [
    { heading: "Redis", value: (r) => r.redis, right: false },
    { heading: "groups/robots", value: (r) => `${r.groups}/${r.robots}` },
    { heading: "alerts delivered", value: (r) => `${r.delivered}/${r.samples}` },
    { heading: "groupWait s", value: (r) => fixed(r.groupWaitMs / 1000, 0) },
    { heading: "latency p50 s", value: (r) => fixed(r.p50Ms / 1000, 2) },
    { heading: "p95 s", value: (r) => fixed(r.p95Ms / 1000, 2) },
    { heading: "max s", value: (r) => fixed(r.maxMs / 1000, 2) },
    { heading: "first of group p95 s", value: (r) => fixed(r.firstOfGroupP95Ms / 1000, 2) },
    { heading: "p95 ≤ groupWait + 2 s", value: (r) => (r.meetsGoal ? "yes" : "no"), right: false },
  ]);
  console.log(`\nmachine: ${JSON.stringify(await machine())} — a shared machine: figures are noisy`);
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
