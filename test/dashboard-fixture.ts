import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { pino } from "pino";
import type { Alert, CheckResult, HostAlerts, NotifySettings, Silence } from "@fleetwatch/core";
import { AlertStore, appendTimeline, HOST_ALERTS_FORMAT, KEYS, redisNow, resolveNotifySettings, storeLatestResult } from "@fleetwatch/core";
import type { RedisHandle, SampleResultOptions } from "@fleetwatch/testkit";
import { publishSampleMembers, sampleMember, sampleResult, startRedis } from "@fleetwatch/testkit";
import { dashboardRoutes } from "../apps/dashboard/src/app.js";
import { buildHttpServer } from "@fleetwatch/core";
import { QueueList } from "../apps/dashboard/src/plugins/app/queue-list.js";

export const USER = "ops";
export const PASSWORD = "s3cret-dashboard";
export const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;
export const MIN = 60_000;

const WEB_2_CHECKS: CheckResult["checks"] = [
  { name: "cpu", state: "critical", value: 97, unit: "%", threshold: { critical: 85 }, message: "cpu 97.0% ≥ 85%" },
  { name: "memory", state: "ok", value: 62, unit: "%", threshold: { critical: 90 }, message: "memory 62.0%" },
  { name: "disk:/", state: "ok", value: 71, unit: "%", threshold: { warning: 80, critical: 95 }, message: "disk / 71.0%" },
  { name: "load", state: "ok", value: 1.2, unit: "load/core", threshold: { warning: 1.5, critical: 3 }, message: "load 1.20 per core" },
];

/** A host to seed: its results (oldest first) and, optionally, its alerts as the notifier would store them. */
export interface SeedHost {
  name: string;
  group?: string;
  results: SampleResultOptions[];
  alerts?: Alert[];
}

export const alert = (check: string, status: Alert["status"], severity: Alert["severity"], message: string, since: number, extra: Partial<Alert> = {}): Alert => ({
  check,
  status,
  severity,
  count: 2,
  since,
  ...(status === "firing" ? { firingSince: since } : {}),
  message,
  epoch: 1,
  decided: {},
  delivered: {},
  ...extra,
});

/** Redis with a seeded fleet, and the dashboard served over HTTP on an ephemeral loopback port. */
export class DashboardFixture {
  handle!: RedisHandle;
  redis!: Redis;
  server!: FastifyInstance;
  queues!: QueueList;
  url = "";
  now = 0;
  notify: NotifySettings = { ...resolveNotifySettings({ hosts: [] } as never), locale: "en", timezone: "UTC", robots: [{ name: "ops", webhookRef: "${W}", atMobiles: [], atAll: false, mentionOn: "critical", minState: "warning" }] };

  async start(): Promise<void> {
    this.handle = await startRedis();
    this.redis = new Redis(this.handle.url, { maxRetriesPerRequest: null });
    this.now = await redisNow(this.redis);
  }

  async serve(credentials = true): Promise<string> {
    this.queues = new QueueList(this.redis, () => ({ notify: this.notify, defaultIntervalMs: MIN }));
    this.server = await buildHttpServer(credentials ? { credentials: { user: USER, password: PASSWORD } } : {}, {
      logger: pino({ level: "warn" }),
      routes: dashboardRoutes({ redis: this.redis, settings: () => ({ notify: this.notify, defaultIntervalMs: MIN }), queues: this.queues }),
    });
    await this.server.listen({ host: "127.0.0.1", port: 0 });
    this.url = `http://127.0.0.1:${(this.server.server.address() as AddressInfo).port}`;
    return this.url;
  }

  /** Membership, results (through the worker's own store call: latest + history ring) and alert state. */
  async seed(hosts: readonly SeedHost[]): Promise<void> {
    if (hosts.length === 0) return;
    await publishSampleMembers(this.redis, hosts.map((h) => sampleMember(h.name, h.group, MIN)));
    let slot = 0;
    for (const h of hosts) {
      for (const r of h.results) {
        const result: CheckResult = sampleResult({ host: h.name, ...(h.group ? { group: h.group } : {}), ...r });
        await storeLatestResult(this.redis, result, ++slot, 10 * MIN, MIN);
      }
      if (h.alerts) {
        const doc: HostAlerts = {
          format: HOST_ALERTS_FORMAT,
          host: h.name,
          ...(h.group ? { group: h.group } : {}),
          lastSlotStart: h.results.at(-1)?.at ?? this.now,
          lastResultAt: h.results.at(-1)?.at ?? this.now,
          intervalMs: MIN,
          for: 2,
          alerts: Object.fromEntries(h.alerts.map((a) => [a.check, a])),
          version: 0,
        };
        await new AlertStore(this.redis).update(h.name, () => ({ state: doc }));
      }
    }
  }

  /** Seven hosts, one in each state but one (unknown): the fleet the page tests look at. */
  async seedSampleFleet(): Promise<void> {
    const t = this.now;
    const ok = (n: number, extra = {}) => Array.from({ length: n }, (_, i) => ({ at: t - (n - 1 - i) * MIN, ...extra }));
    const hosts: SeedHost[] = [
      { name: "web-1", group: "web", results: ok(30).map((r, i) => ({ ...r, cpu: 30 + 20 * Math.sin(i / 3), memory: 50 + i / 2, disk: 60 + i / 10, load: 0.5 + i / 20 })) },
      { name: "web-2", group: "web", results: ok(30).map((r, i) => ({ ...r, cpu: i < 20 ? 40 + i : 97, memory: 62, disk: 71, load: 2 + i / 10, state: i < 20 ? ("ok" as const) : ("critical" as const), checks: WEB_2_CHECKS })), alerts: [alert("cpu", "firing", "critical", "cpu 97.0% ≥ 85%", t - 10 * MIN, { value: 97, unit: "%", threshold: { critical: 85 } })] },
      { name: "web-3", group: "web", results: ok(3, { memory: 95, state: "critical" as const }), alerts: [alert("memory", "pending", "critical", "memory 95% ≥ 90%", t)] },
      { name: "db-1", group: "db", results: [...ok(10), { at: t, outcome: "unreachable" as const, reason: "connect ECONNREFUSED 127.0.0.9:22" }], alerts: [alert("reachability", "firing", "critical", "connect ECONNREFUSED 127.0.0.9:22", t - 3 * MIN)] },
      { name: "db-2", group: "db", results: ok(5).map((r) => ({ ...r, at: r.at - 10 * MIN })) },
      { name: "cache-1", results: ok(5, { disk: 88, state: "warning" as const, missing: ["memcached"] }), alerts: [alert("process:memcached", "firing", "warning", "memcached not running", t - 5 * MIN)] },
      { name: "2001:db8::7", group: "db", results: ok(4, { cpu: 80, state: "critical" as const }), alerts: [alert("cpu", "firing", "critical", "cpu high", t - 2 * MIN)] },
    ];
    await this.seed(hosts);
    await this.silence({ host: "2001:db8::7", check: "cpu", startsAt: t - MIN, endsAt: t + 60 * MIN, author: "ops", reason: "load test" });
    await appendTimeline(this.redis, [{ at: t - 10 * MIN, host: "web-2", check: "cpu", kind: "fired", severity: "critical", message: "cpu 97.0% ≥ 85%" }]);
  }

  async silence(s: Omit<Silence, "id" | "createdAt" | "scope">): Promise<void> {
    await new AlertStore(this.redis).saveSilence({ id: `seed-${s.host}-${s.check}`.replace(/[^a-z0-9-]/gi, ""), scope: "host", createdAt: s.startsAt, ...s });
  }

  get(path: string, headers: Record<string, string> = { authorization: AUTH }): Promise<Response> {
    return fetch(`${this.url}${path}`, { headers, redirect: "manual" });
  }

  post(path: string, body: Record<string, string>, headers: Record<string, string> = {}): Promise<Response> {
    return fetch(`${this.url}${path}`, {
      method: "POST",
      headers: { authorization: AUTH, "content-type": "application/x-www-form-urlencoded", ...headers },
      body: new URLSearchParams(body).toString(),
      redirect: "manual",
    });
  }

  async stop(): Promise<void> {
    await this.server?.close();
    await this.queues?.close();
    this.redis?.disconnect();
    await this.handle?.stop();
  }
}
