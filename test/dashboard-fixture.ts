import type { AddressInfo } from "node:net";
import type { FastifyInstance } from "fastify";
import { Redis } from "ioredis";
import { pino } from "pino";
import type { Alert, CheckResult, HostAlerts, NotifySettings, Silence } from "@fleetwatch/core";
import { AlertStore, appendTimeline, KEYS, redisNow, resolveNotifySettings, storeLatestResult } from "@fleetwatch/core";
import type { RedisHandle, SampleResultOptions } from "@fleetwatch/testkit";
import { sampleResult, startRedis } from "@fleetwatch/testkit";
import { dashboardRoutes } from "../apps/dashboard/src/app.js";
import { buildHttpServer } from "../apps/dashboard/src/interim-http.js";
import { QueueList } from "../apps/dashboard/src/plugins/app/queue-list.js";

export const USER = "ops";
export const PASSWORD = "s3cret-dashboard";
export const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;
export const MIN = 60_000;

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
  notified: {},
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
    await this.redis.sadd(KEYS.scheduledHosts, ...hosts.map((h) => h.name));
    let slot = 0;
    for (const h of hosts) {
      for (const r of h.results) {
        const result: CheckResult = sampleResult({ host: h.name, ...(h.group ? { group: h.group } : {}), ...r });
        await storeLatestResult(this.redis, result, ++slot, 10 * MIN, MIN);
      }
      if (h.alerts) {
        const doc: HostAlerts = {
          host: h.name,
          ...(h.group ? { group: h.group } : {}),
          lastSlot: slot,
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

  async silence(s: Omit<Silence, "id" | "createdAt">): Promise<void> {
    await new AlertStore(this.redis).saveSilence({ id: `seed-${s.host}-${s.check}`.replace(/[^a-z0-9-]/gi, ""), createdAt: s.startsAt, ...s });
  }

  timeline = appendTimeline;

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
