import { randomBytes } from "node:crypto";
import type { Redis } from "ioredis";
import type { Alert, CheckResult, RobotHealth, FleetOverview, FleetPage, FleetQuery, FleetHostStatus, HistoryEntry, HostAlerts, LastFailure, Silence, TimelineEvent } from "@fleetwatch/core";
import {
  AlertStore,
  appendTimeline,
  checkSilenceScope,
  err,
  fleetHostStatus,
  globMatcher,
  isSilenceActive,
  ok,
  parseDuration,
  queryFleet,
  readFleetMember,
  readFleetMembers,
  readFleetOverview,
  readFleetTimeline,
  readHistory,
  readHostTimeline,
  readLastFailure,
  readLatestResult,
  readRobotHealth,
  redisNow,
  silencedEvent,
  silences as isSilenced,
  withRecentHistory,
  type Result,
} from "@fleetwatch/core";
import type { DashboardSettings } from "./dashboard-settings.js";

/** How long one reading of the whole fleet serves further requests. */
export const OVERVIEW_CACHE_MS = 2_000;

/** Recent results shown per host in the fleet list. */
export const STRIP_LENGTH = 24;

export interface HostDetail {
  name: string;
  group?: string;
  member: boolean;
  status: FleetHostStatus;
  latest?: CheckResult;
  lastFailure?: LastFailure;
  history: HistoryEntry[];
  timeline: TimelineEvent[];
  alerts?: HostAlerts;
  silences: Silence[];
  now: number;
}

export interface AlertRow {
  host: string;
  group?: string;
  alert: Alert;
  silenced: boolean;
}

export interface AlertsView {
  alerts: AlertRow[];
  /** Delivery health per DingTalk robot, as the notifier's senders last found it. */
  robots: Record<string, RobotHealth>;
  silences: Silence[];
  timeline: TimelineEvent[];
  now: number;
}

export interface SilenceRequest {
  host: string;
  check: string;
  duration: string;
  reason: string;
  author: string;
  all: boolean;
}

/** Everything the pages and the API read from Redis, and the silences they write. The dashboard never consumes a queue. */
export class FleetReader {
  private readonly store: AlertStore;
  private cached: { at: number; promise: Promise<FleetOverview> } | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly settings: () => DashboardSettings,
  ) {
    this.store = new AlertStore(redis);
  }

  now(): Promise<number> {
    return redisNow(this.redis);
  }

  /**
   * The whole fleet judged, shared by requests for `OVERVIEW_CACHE_MS` (paging through a large
   * fleet, several operators' auto-refresh) and dropped when a silence changes.
   */
  overview(): Promise<FleetOverview> {
    const now = Date.now();
    if (!this.cached || now - this.cached.at > OVERVIEW_CACHE_MS) {
      const s = this.settings();
      const promise = this.now().then((redisTime) => readFleetOverview(this.redis, { now: redisTime, staleAfter: s.notify.staleAfter, defaultIntervalMs: s.defaultIntervalMs }));
      this.cached = { at: now, promise };
      promise.catch(() => {
        if (this.cached?.promise === promise) this.cached = undefined;
      });
    }
    return this.cached.promise;
  }

  /** One page of the fleet, filtered and sorted over all hosts; strips of recent results read for that page only. */
  async page(query: FleetQuery): Promise<FleetPage & { now: number }> {
    const overview = await this.overview();
    const page = queryFleet(overview.hosts, query);
    return { ...page, hosts: await withRecentHistory(this.redis, page.hosts, STRIP_LENGTH), now: overview.now };
  }

  async host(name: string): Promise<HostDetail> {
    const [member, latest, lastFailure, history, timeline, alerts, silences, now] = await Promise.all([
      readFleetMember(this.redis, name),
      readLatestResult(this.redis, name),
      readLastFailure(this.redis, name),
      readHistory(this.redis, name),
      readHostTimeline(this.redis, name),
      this.store.load(name),
      this.store.silences(),
      this.now(),
    ]);
    const s = this.settings();
    const head = history[0];
    const status = fleetHostStatus({
      host: name,
      ...(head ? { latest: { at: head.at, state: head.state, outcome: head.outcome } } : latest ? { latest: { at: latest.finishedAt, state: latest.state, outcome: latest.outcome } } : {}),
      ...(alerts ? { alerts } : {}),
      silences,
      now,
      intervalMs: member?.intervalMs ?? alerts?.intervalMs ?? s.defaultIntervalMs,
      staleAfter: s.notify.staleAfter,
    });
    const detail: HostDetail = {
      name,
      member: member !== undefined,
      status,
      history,
      timeline,
      silences: silences.filter((x) => now < x.endsAt && globMatcher(x.host)(name)),
      now,
    };
    const group = member?.group ?? latest?.host.group;
    if (group !== undefined) detail.group = group;
    if (latest) detail.latest = latest;
    if (lastFailure) detail.lastFailure = lastFailure;
    if (alerts) detail.alerts = alerts;
    return detail;
  }

  async alerts(): Promise<AlertsView> {
    const [hosts, silences, timeline, robots, now] = await Promise.all([
      this.store.activeHosts().then((h) => this.store.loadMany(h)),
      this.store.silences(),
      readFleetTimeline(this.redis, 100),
      readRobotHealth(this.redis),
      this.now(),
    ]);
    const rows: AlertRow[] = [];
    for (const h of hosts) {
      for (const alert of Object.values(h.alerts)) {
        if (alert.status === "resolved") continue;
        const row: AlertRow = { host: h.host, alert, silenced: isSilenced(silences, h.host, alert.check, now) };
        if (h.group !== undefined) row.group = h.group;
        rows.push(row);
      }
    }
    const rank = (r: AlertRow) => (r.alert.status === "firing" ? 0 : 2) + (r.alert.severity === "critical" ? 0 : 1);
    rows.sort((a, b) => Number(a.silenced) - Number(b.silenced) || rank(a) - rank(b) || a.host.localeCompare(b.host) || a.alert.check.localeCompare(b.alert.check));
    const recent = silences.filter((x) => x.endsAt > now - 86_400_000).sort((a, b) => Number(isSilenceActive(b, now)) - Number(isSilenceActive(a, now)) || a.endsAt - b.endsAt);
    return { alerts: rows, robots, silences: recent, timeline, now };
  }

  /** Creates a silence after the same checks as the CLI (a fleet-wide one needs `all`); notes it on the timeline. */
  async createSilence(request: SilenceRequest): Promise<Result<Silence, string>> {
    const host = request.host.trim();
    const check = request.check.trim();
    const scope = checkSilenceScope({ host, check, all: request.all });
    if (!scope.ok) return scope;
    const ms = parseDuration(request.duration);
    if (ms === undefined || ms <= 0) return err(`"${request.duration}" is not a duration: write it like 30m, 2h or 1d`);
    if (!request.reason.trim()) return err("a reason is required: say why, for whoever sees the silence later");
    const now = await this.now();
    const silence: Silence = { id: randomBytes(4).toString("hex"), scope: "host", host, check, startsAt: now, endsAt: now + ms, author: request.author.trim() || "dashboard", reason: request.reason.trim(), createdAt: now };
    await this.store.saveSilence(silence);
    this.cached = undefined;
    const matches = globMatcher(host);
    const hosts = (await readFleetMembers(this.redis)).filter((m) => matches(m.name));
    await appendTimeline(
      this.redis,
      hosts.slice(0, 1000).map((m) => silencedEvent(silence, m.name)),
      [silencedEvent(silence)],
    );
    return ok(silence);
  }

  /** Ends a silence now; false if there is none with that id. */
  async expireSilence(id: string): Promise<boolean> {
    const silence = (await this.store.silences()).find((s) => s.id === id);
    if (!silence) return false;
    const now = await this.now();
    await this.store.saveSilence({ ...silence, endsAt: Math.min(silence.endsAt, now) });
    this.cached = undefined;
    return true;
  }
}
