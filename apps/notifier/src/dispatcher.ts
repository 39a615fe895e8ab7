import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { AlertStore, HostAlerts, LoadedFleet, NotificationJob, NotifySettings } from "@fleetwatch/core";
import { alertTransitions, appendTimeline, applyNotified, applyStaleness, encodeId, KEYS, notifiedEvents, planDispatch, redisNow, renderMessage, resolveNotifySettings, staleDeadline } from "@fleetwatch/core";

/** The pseudo-host under which "monitoring stalled" is reported. */
export const PIPELINE_HOST = "fleetwatch";

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') and 1 or 0
`;

/**
 * The timed half of the notifier, run by one replica at a time (a lock in Redis): marks
 * stale hosts and a stalled pipeline, plans what each robot is told, enqueues the messages
 * and records what was said.
 */
export class Dispatcher {
  private settings: NotifySettings;
  private defaultIntervalMs: number;
  private readonly startedAt = Date.now();

  constructor(
    private readonly redis: Redis,
    private readonly store: AlertStore,
    private readonly queueFor: (robot: string) => Queue<NotificationJob> | undefined,
    fleet: LoadedFleet,
    private readonly id: string,
    private readonly log: Logger,
  ) {
    this.settings = resolveNotifySettings(fleet.config);
    this.defaultIntervalMs = fleet.config.defaults?.interval ?? 60_000;
  }

  useConfig(fleet: LoadedFleet): void {
    this.settings = resolveNotifySettings(fleet.config);
    this.defaultIntervalMs = fleet.config.defaults?.interval ?? 60_000;
  }

  get staleAfter(): number {
    return this.settings.staleAfter;
  }

  tickMs(): number {
    return Math.max(100, Math.min(5_000, Math.floor(Math.min(this.settings.groupWaitMs, this.settings.groupIntervalMs) / 10)));
  }

  async tick(): Promise<void> {
    const leader = await this.redis.eval(RENEW, 1, KEYS.dispatcherLock, this.id, String(this.tickMs() * 5));
    if (leader !== 1) return;
    const now = await redisNow(this.redis);
    await this.markStale(now);
    await this.markStalled(now);
    const hosts = await this.store.loadMany(await this.store.activeHosts());
    const silences = await this.store.silences();
    const plan = planDispatch({ hosts, timers: await this.store.timers(), silences, settings: this.settings, now });
    for (const message of plan.messages) {
      const robot = this.settings.robots.find((r) => r.name === message.robot)!;
      const queue = this.queueFor(robot.name);
      if (!queue) continue;
      const rendered = renderMessage(message, robot, this.settings, now);
      const base = `${encodeId(message.groupKeys.join("+"))}.${now}`;
      for (const [i, markdown] of rendered.parts.entries()) {
        const job: NotificationJob = {
          robot: robot.name,
          title: rendered.title,
          markdown,
          atMobiles: rendered.atMobiles,
          isAtAll: rendered.isAtAll,
          groupKey: message.groupKeys.join("+"),
          createdAt: now,
        };
        await queue.add("notify", job, {
          jobId: `${base}.${i}`,
          attempts: 10_000,
          backoff: { type: "custom" },
          removeOnComplete: { age: 86_400 },
          removeOnFail: { age: 7 * 86_400 },
        });
      }
      const told = notifiedEvents(message, now);
      await appendTimeline(this.redis, told.hosts, told.fleet);
      this.log.info(
        { robot: robot.name, groups: message.groupKeys, firing: message.firing.length, resolved: message.resolved.length, parts: rendered.parts.length, reminder: message.reminder },
        "notification queued",
      );
    }
    await this.store.saveTimers(plan.timers);
    for (const host of hosts) {
      const mine = plan.notified.filter((u) => u.host === host.host);
      const unchanged = (before: HostAlerts, after: HostAlerts) => JSON.stringify(after.alerts) === JSON.stringify(before.alerts);
      // Most active hosts need no write this tick: decide on the copy already loaded.
      if (unchanged(host, applyNotified(host, mine))) continue;
      await this.store.update(host.host, (current) => {
        if (!current) return undefined;
        const next = applyNotified(current, mine);
        if (unchanged(current, next)) return undefined;
        const gone = next.removed === true && Object.keys(next.alerts).length === 0;
        return gone ? { state: next, delete: true } : { state: next, ...(current.removed ? {} : { staleAt: staleDeadline(current, this.staleAfter) }) };
      });
    }
    for (const silence of silences) {
      if (silence.endsAt < now - 86_400_000) await this.store.deleteSilence(silence.id);
    }
  }

  private async markStale(now: number): Promise<void> {
    for (const host of await this.store.staleHosts(now)) {
      let fired: ReturnType<typeof alertTransitions> = [];
      await this.store.update(host, (current) => {
        if (!current || current.removed) return undefined;
        const next = applyStaleness(current, now, this.staleAfter);
        if (next === current) return undefined;
        fired = alertTransitions(current, next, now);
        this.log.warn({ host }, "host is stale: no check result for several intervals");
        return { state: next };
      });
      await appendTimeline(this.redis, fired);
    }
  }

  /** No results at all for staleAfter intervals: the scheduler or the workers are down. */
  private async markStalled(now: number): Promise<void> {
    const last = (await this.store.lastResultSeen()) ?? this.startedAt;
    const stalled = now - last >= this.staleAfter * this.defaultIntervalMs;
    await this.store.update(PIPELINE_HOST, (current) => {
      const firing = current?.alerts.pipeline?.status === "firing";
      if (stalled === firing) return undefined;
      const base: HostAlerts = current ?? { host: PIPELINE_HOST, lastSlot: 0, lastResultAt: now, intervalMs: this.defaultIntervalMs, for: 1, alerts: {}, version: 0 };
      const previous = current?.alerts.pipeline;
      if (stalled) {
        this.log.error({ silentForMs: now - last }, "monitoring stalled: no check results are arriving");
        const message = `monitoring stalled: no check results for ${Math.round((now - last) / 1000)}s (scheduler or workers down?)`;
        return {
          state: {
            ...base,
            alerts: { pipeline: { check: "pipeline", status: "firing", severity: "critical", count: 1, since: last, firingSince: now, message, notified: previous?.notified ?? {} } },
          },
        };
      }
      if (!previous) return undefined;
      this.log.info("monitoring resumed: check results are arriving again");
      return { state: { ...base, alerts: { pipeline: { ...previous, status: "resolved", resolvedAt: now, message: "monitoring resumed" } } } };
    });
  }
}
