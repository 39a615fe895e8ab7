import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { AlertStore, HostAlerts, LoadedFleet, NotificationJob, NotifySettings } from "@fleetwatch/core";
import {
  applyDecided,
  applyPipelineDecided,
  applyStaleness,
  clearPipelineAlert,
  encodeId,
  KEYS,
  planDispatch,
  raisePipelineAlert,
  readMembershipMeta,
  renderMessage,
  resolveNotifySettings,
  STALLED_ALERT,
  stallCondition,
  staleDeadline,
} from "@fleetwatch/core";

const RENEW = `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') and 1 or 0
`;

/**
 * The timed half of the notifier, run by one replica at a time (a lock in Redis): marks
 * stale hosts and a stalled pipeline, plans what each robot is told, enqueues the messages
 * and records what was said. Every time it judges by is Redis's.
 */
export class Dispatcher {
  private settings: NotifySettings;
  /** Redis time of this replica's first tick: with no result ever seen, a stall is judged from then. */
  private watchingSince: number | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly store: AlertStore,
    private readonly queueFor: (robot: string) => Queue<NotificationJob> | undefined,
    fleet: LoadedFleet,
    private readonly id: string,
    private readonly log: Logger,
  ) {
    this.settings = resolveNotifySettings(fleet.config);
  }

  useConfig(fleet: LoadedFleet): void {
    this.settings = resolveNotifySettings(fleet.config);
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
    const now = await this.store.now();
    this.watchingSince ??= now;
    await this.markStale(now);
    await this.markStalled(now, this.watchingSince);
    const hosts = await this.store.loadMany(await this.store.activeHosts());
    const pipeline = await this.store.pipelineAlerts();
    const silences = await this.store.silences();
    const plan = planDispatch({ hosts, pipeline, timers: await this.store.timers(), silences, settings: this.settings, now });
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
          atMobiles: i === 0 ? rendered.atMobiles : [],
          isAtAll: i === 0 && rendered.isAtAll,
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
      this.log.info(
        { robot: robot.name, groups: message.groupKeys, firing: message.firing.length, resolved: message.resolved.length, parts: rendered.parts.length, reminder: message.reminder },
        "notification queued",
      );
    }
    await this.store.saveTimers(plan.timers);
    const unchanged = (before: HostAlerts["alerts"], after: HostAlerts["alerts"]) => JSON.stringify(after) === JSON.stringify(before);
    if (plan.decided.some((u) => u.pipeline)) {
      await this.store.updatePipeline((current) => {
        const next = applyPipelineDecided(current, plan.decided);
        return unchanged(current.alerts, next.alerts) ? undefined : next;
      });
    }
    for (const host of hosts) {
      const mine = plan.decided.filter((u) => !u.pipeline && u.host === host.host);
      // Most active hosts need no write this tick: decide on the copy already loaded.
      if (unchanged(host.alerts, applyDecided(host, mine).alerts)) continue;
      await this.store.update(host.host, (current) => {
        if (!current) return undefined;
        const next = applyDecided(current, mine);
        if (unchanged(current.alerts, next.alerts)) return undefined;
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
      await this.store.update(host, (current, at) => {
        if (!current || current.removed) return undefined;
        const next = applyStaleness(current, at, this.staleAfter);
        if (next === current) return undefined;
        this.log.warn({ host }, "host is stale: no check result for several intervals");
        return { state: next };
      });
    }
  }

  /** No results at all for what the membership should be producing: the scheduler or the workers are down. */
  private async markStalled(now: number, watchingSince: number): Promise<void> {
    const membership = await readMembershipMeta(this.redis);
    const lastResultAt = await this.store.lastResultSeen();
    const condition = stallCondition({ membership, ...(lastResultAt === undefined ? {} : { lastResultAt }), watchingSince, staleAfter: this.staleAfter, now });
    await this.store.updatePipeline((current, at) => {
      const firing = current.alerts[STALLED_ALERT]?.status === "firing";
      if (condition) {
        if (!firing) this.log.error({ message: condition.message }, "monitoring stalled: no check results are arriving");
        return firing ? undefined : raisePipelineAlert(current, condition, at);
      }
      if (!firing) return undefined;
      this.log.info("monitoring resumed: check results are arriving again");
      return clearPipelineAlert(current, STALLED_ALERT, at, "monitoring resumed");
    });
  }
}
