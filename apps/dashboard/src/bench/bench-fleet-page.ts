import { parseArgs } from "node:util";
import { pino } from "pino";
import { Redis } from "ioredis";
import type { Alert, HostAlerts } from "@fleetwatch/core";
import { AlertStore, encodeHistoryEntry, HOST_ALERTS_FORMAT, historyEntryOf, KEYS, redisNow, resolveNotifySettings } from "@fleetwatch/core";
import { publishSampleMembers, sampleMember, sampleResult, startRedis } from "@fleetwatch/testkit";
import { dashboardRoutes } from "../app.js";
import { buildHttpServer } from "@fleetwatch/core";
import type { DashboardSettings } from "../plugins/app/dashboard-settings.js";
import { FleetReader } from "../plugins/app/fleet-reader.js";
import { QueueList } from "../plugins/app/queue-list.js";

const MIN = 60_000;

/**
 * `npm run bench:dashboard -- --hosts 5000`: a private Redis seeded with a fleet (a full
 * history ring per host, 5% of hosts with a firing alert), then the fleet page read and
 * rendered. Prints figures; asserts nothing.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({ options: { hosts: { type: "string", default: "5000" }, rounds: { type: "string", default: "5" } } });
  const count = Number(values.hosts);
  const rounds = Number(values.rounds);
  const redisHandle = await startRedis();
  const redis = new Redis(redisHandle.url, { maxRetriesPerRequest: null });
  try {
    const before = Number(/used_memory:(\d+)/.exec(await redis.info("memory"))?.[1]);
    const now = await redisNow(redis);
    const names = Array.from({ length: count }, (_, i) => `node-${String(i).padStart(5, "0")}.dc1.example.com`);
    await publishSampleMembers(redis, names.map((name, i) => sampleMember(name, `rack-${i % 50}`, MIN)));
    const store = new AlertStore(redis);
    for (let start = 0; start < count; start += 500) {
      const pipeline = redis.pipeline();
      for (const [j, name] of names.slice(start, start + 500).entries()) {
        const i = start + j;
        const entries = Array.from({ length: 360 }, (_, k) => encodeHistoryEntry(historyEntryOf(sampleResult({ host: name, at: now - k * MIN, cpu: (i + k) % 100, missing: i % 20 === 0 ? ["kubelet"] : [] }))));
        pipeline.rpush(KEYS.history(name), ...entries);
        pipeline.hset(KEYS.latestResult(name), "group", `rack-${i % 50}`);
      }
      await pipeline.exec();
    }
    for (const name of names.filter((_, i) => i % 20 === 0)) {
      const alert: Alert = { check: "process:kubelet", status: "firing", severity: "critical", count: 2, since: now - 5 * MIN, firingSince: now - 4 * MIN, message: "kubelet not running", epoch: 1, decided: {}, delivered: {} };
      const doc: HostAlerts = { format: HOST_ALERTS_FORMAT, host: name, lastSlotStart: now, lastResultAt: now, intervalMs: MIN, for: 2, alerts: { [alert.check]: alert }, version: 0 };
      await store.update(name, () => ({ state: doc }));
    }
    const after = Number(/used_memory:(\d+)/.exec(await redis.info("memory"))?.[1]);
    const settings: DashboardSettings = { notify: { ...resolveNotifySettings({ hosts: [] } as never), locale: "en", timezone: "UTC" }, defaultIntervalMs: MIN };
    const queues = new QueueList(redis, () => settings);
    const server = await buildHttpServer({}, { logger: pino({ level: "warn" }), routes: dashboardRoutes({ redis, settings: () => settings, queues }) });
    const cold: number[] = [];
    for (let r = 0; r < rounds; r++) {
      const t0 = performance.now();
      await new FleetReader(redis, () => settings).page({});
      cold.push(performance.now() - t0);
    }
    const t1 = performance.now();
    const res = await server.inject({ url: "/?state=critical" });
    const first = performance.now() - t1;
    const t2 = performance.now();
    const cached = await server.inject({ url: "/?page=2" });
    const warm = performance.now() - t2;
    const median = [...cold].sort((a, b) => a - b)[Math.floor(cold.length / 2)]!;
    console.log(`hosts: ${count} (history ring full: 360 entries each; ${count / 20} with a firing alert)`);
    console.log(`redis memory for the history rings: ${((after - before) / count / 1024).toFixed(1)} KB per host`);
    console.log(`read + judge the whole fleet, one page of strips: median ${median.toFixed(0)} ms over ${rounds} rounds`);
    console.log(`GET /?state=critical (read, render): ${first.toFixed(0)} ms, ${(res.body.length / 1024).toFixed(0)} KB; GET /?page=2 (judged fleet shared): ${warm.toFixed(0)} ms, ${(Buffer.byteLength(cached.body) / 1024).toFixed(0)} KB`);
    await server.close();
    await queues.close();
  } finally {
    redis.disconnect();
    await redisHandle.stop();
  }
}

await main();
