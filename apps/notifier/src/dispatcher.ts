import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { AlertStore, DeliveryReceipt, HostAlerts, LaneMessage, Lease, LoadedFleet, NotifySettings, PlannedMessage, RobotSettings } from "@fleetwatch/core";
import {
  acquireLease,
  DISPATCHER_LEASE,
  alertTransitions,
  appendTimeline,
  applyDecided,
  applyPipelineDecided,
  applyPipelineReceipt,
  applyReceipt,
  applyStaleness,
  deferredStaleDeadline,
  clearPipelineAlert,
  dropReceipts,
  enqueueLane,
  expirePipelineAlerts,
  fenceOf,
  FencedError,
  hasParked,
  KEYS,
  MAX_PARTS,
  mergeMessages,
  nextGroupDueAt,
  peekReceipts,
  planDispatch,
  raisePipelineAlert,
  readLane,
  readMembershipMeta,
  receiptEvents,
  releaseLease,
  releaseParked,
  renderMessage,
  resolveNotifySettings,
  STALLED_ALERT,
  stallCondition,
  staleDeadline,
  unparkAlerts,
} from "@fleetwatch/core";

/** Parked messages are retried this often (and on every reload). */
export const UNPARK_EVERY_MS = 15 * 60_000;


/**
 * Test-only fault points (FLEETWATCH_FAULT): `exit-after-enqueue` ends the process after a
 * message entered its lane and before the decision was recorded; `lapse-lock` drops the lock
 * at that moment, as if the tick had outlasted it. Either way, at most the duplicates the
 * design allows.
 */
const fault = (): string => process.env.FLEETWATCH_FAULT ?? "";

/**
 * The timed half of the notifier, run by one replica at a time (a fenced lock in Redis, renewed
 * inside long loops and released on shutdown): applies delivery receipts, marks stale hosts and
 * a stalled pipeline, plans what each robot is told, appends the messages to the robots' lanes
 * (a message's id derives from what it reports, so a decision made again is queued once) and
 * records what was decided. Every write checks the lock is still its own. Every time it
 * judges by is Redis's.
 */
export class Dispatcher {
  private settings: NotifySettings;
  /** Redis time of this replica's first tick: with no result ever seen, a stall is judged from then. */
  private watchingSince: number | undefined;
  private lease: Lease | undefined;
  private renewedAt = 0;
  private unparkDue = true;
  /** When (this process's clock) the next waiting group becomes due, from the last tick's plan. */
  private nextDueLocal: number | undefined;

  constructor(
    private readonly redis: Redis,
    private readonly store: AlertStore,
    fleet: LoadedFleet,
    private readonly id: string,
    private readonly log: Logger,
  ) {
    this.settings = resolveNotifySettings(fleet.config);
  }

  /** A reload: new settings, and parked messages are retried at the next tick. */
  useConfig(fleet: LoadedFleet): void {
    this.settings = resolveNotifySettings(fleet.config);
    this.unparkDue = true;
  }

  get staleAfter(): number {
    return this.settings.staleAfter;
  }

  /** Until the next tick: the regular tick, or sooner when a group becomes due before it. */
  nextTickMs(): number {
    const regular = this.tickMs();
    if (this.nextDueLocal === undefined) return regular;
    return Math.max(50, Math.min(regular, this.nextDueLocal - Date.now()));
  }

  tickMs(): number {
    return Math.max(100, Math.min(5_000, Math.floor(Math.min(this.settings.groupWaitMs, this.settings.groupIntervalMs) / 10)));
  }

  private lockMs(): number {
    return Math.max(5_000, this.tickMs() * 5);
  }

  /** Renews the lock when a tick runs long; a lock lost meanwhile ends the tick (nothing more is written). */
  private async keepLock(): Promise<string> {
    if (!this.lease) throw new FencedError("dispatch");
    if (Date.now() - this.renewedAt >= this.tickMs()) {
      const lease = await acquireLease(this.redis, this.id, this.lockMs(), DISPATCHER_LEASE);
      if (!lease || lease.token !== this.lease.token) {
        this.lease = lease;
        throw new FencedError("dispatch");
      }
      this.renewedAt = Date.now();
    }
    return fenceOf(this.lease);
  }

  async stop(): Promise<void> {
    if (this.lease) await releaseLease(this.redis, this.lease, DISPATCHER_LEASE);
    this.lease = undefined;
  }

  async tick(): Promise<void> {
    const lease = await acquireLease(this.redis, this.id, this.lockMs(), DISPATCHER_LEASE);
    if (lease && this.lease?.token !== lease.token) this.log.info({ token: lease.token }, "dispatching: this replica holds the dispatcher lock");
    this.lease = lease;
    if (!lease) return;
    this.renewedAt = Date.now();
    try {
      await this.dispatch();
    } catch (error) {
      if (!(error instanceof FencedError)) throw error;
      this.log.warn({ reason: error.message }, "dispatcher lock lost mid-tick: stopped writing; the replica holding it decides again");
      this.lease = undefined;
    }
  }

  private async dispatch(): Promise<void> {
    const now = await this.store.now();
    this.watchingSince ??= now;
    await this.applyReceipts();
    await this.unparkIfDue(now);
    await this.markStale(now);
    await this.markStalled(now, this.watchingSince);
    const hosts = await this.store.loadMany(await this.store.activeHosts());
    const pipeline = await this.store.pipelineAlerts();
    const silences = await this.store.silences();
    const plan = planDispatch({ hosts, pipeline, timers: await this.store.timers(), silences, settings: this.settings, now });
    // Every group still waiting has its timer in the plan, due after `now`.
    const due = nextGroupDueAt(plan.timers, this.settings);
    this.nextDueLocal = due === undefined ? undefined : Date.now() + (due - now);
    for (const robot of this.settings.robots) {
      const messages = plan.messages.filter((m) => m.robot === robot.name);
      if (messages.length > 0) await this.enqueue(robot, messages, now);
    }
    if (plan.messages.length > 0) {
      if (fault() === "exit-after-enqueue") {
        this.log.fatal("FLEETWATCH_FAULT=exit-after-enqueue: exiting between queueing and recording");
        process.exit(70);
      }
      if (fault() === "lapse-lock") {
        this.log.warn("FLEETWATCH_FAULT=lapse-lock: dropping the dispatcher lock between queueing and recording");
        await this.redis.del(KEYS.dispatcherLock);
        this.renewedAt = 0;
      }
    }
    await this.store.saveTimers(plan.timers, { fence: await this.keepLock() });
    const unchanged = (before: HostAlerts["alerts"], after: HostAlerts["alerts"]) => JSON.stringify(after) === JSON.stringify(before);
    if (plan.decided.some((u) => u.pipeline)) {
      await this.store.updatePipeline((current) => {
        const next = applyPipelineDecided(current, plan.decided);
        return unchanged(current.alerts, next.alerts) ? undefined : next;
      }, { fence: await this.keepLock() });
    }
    for (const host of hosts) {
      const mine = plan.decided.filter((u) => !u.pipeline && u.host === host.host);
      // Most active hosts need no write this tick: decide on the copy already loaded.
      if (unchanged(host.alerts, applyDecided(host, mine).alerts)) continue;
      await this.store.update(host.host, (current) => this.written(current, (c) => applyDecided(c, mine)), { fence: await this.keepLock() });
    }
    for (const silence of silences) {
      if (silence.endsAt < now - 86_400_000) await this.store.deleteSilence(silence.id);
    }
  }

  /** A changed host's write: deleted once removed with nothing left to say; otherwise kept in the stale index. */
  private written(current: HostAlerts | undefined, change: (c: HostAlerts) => HostAlerts) {
    if (!current) return undefined;
    const next = change(current);
    if (JSON.stringify(next.alerts) === JSON.stringify(current.alerts)) return undefined;
    const gone = next.removed === true && Object.keys(next.alerts).length === 0;
    return gone ? { state: next, delete: true } : { state: next, ...(current.removed ? {} : { staleAt: staleDeadline(current, this.staleAfter) }) };
  }

  /**
   * One robot's decided messages into its lane, in order: at most 3 DingTalk messages a send
   * (more parts than that and the robot's messages are merged, so the storm rule applies once).
   */
  private async enqueue(robot: RobotSettings, messages: PlannedMessage[], now: number): Promise<void> {
    let rendered = messages.map((message) => ({ message, out: renderMessage(message, robot, this.settings, now) }));
    if (rendered.length > 1 && rendered.reduce((n, r) => n + r.out.parts.length, 0) > MAX_PARTS) {
      const merged = mergeMessages(messages);
      rendered = [{ message: merged, out: renderMessage(merged, robot, this.settings, now) }];
    }
    const lane = await readLane(this.redis, robot.name);
    const inFlight = lane[0]?.messageId;
    for (const { message, out } of rendered) {
      const parts: LaneMessage[] = out.parts.map((markdown, i) => ({
        id: `${message.id}.${i}`,
        messageId: message.id,
        robot: robot.name,
        title: out.title,
        markdown,
        atMobiles: i === 0 ? out.atMobiles : [],
        isAtAll: i === 0 && out.isAtAll,
        reports: message.reports,
        last: i === out.parts.length - 1,
        createdAt: now,
        attempts: 0,
        nextAttemptAt: 0,
      }));
      // A queued message is superseded only if this one reports every alert it does, each at a newer epoch.
      const newer = new Map(message.reports.map((r) => [`${r.pipeline ? "p" : "h"}\u0000${r.host}\u0000${r.check}`, r.epoch]));
      const superseded = lane.filter(
        (q) =>
          q.messageId !== inFlight &&
          q.messageId !== message.id &&
          q.reports.length > 0 &&
          q.reports.every((r) => (newer.get(`${r.pipeline ? "p" : "h"}\u0000${r.host}\u0000${r.check}`) ?? -1) > r.epoch),
      );
      const added = await enqueueLane(this.redis, robot.name, parts, superseded.map((q) => q.id), await this.keepLock(), now);
      if (added === "fenced") throw new FencedError(`lane of ${robot.name}`);
      this.log.info(
        { robot: robot.name, id: message.id, groups: message.groupKeys, firing: message.firing.length, resolved: message.resolved.length, parts: parts.length, reminder: message.reminder, superseded: superseded.map((q) => q.id), queued: added > 0 },
        added > 0 ? "notification queued" : "notification already queued (decided before)",
      );
    }
  }

  /** Delivery receipts from the senders → the alerts' delivered (or parked) markers. */
  private async applyReceipts(): Promise<void> {
    const texts = await peekReceipts(this.redis);
    if (texts.length === 0) return;
    const receipts = texts.flatMap((t) => {
      try {
        return [JSON.parse(t) as DeliveryReceipt];
      } catch {
        return [];
      }
    });
    const hostsOf = new Set(receipts.flatMap((r) => r.reports.filter((x) => !x.pipeline).map((x) => x.host)));
    const removed = new Set<string>();
    for (const host of hostsOf) {
      await this.store.update(host, (current) => {
        if (current?.removed) removed.add(host);
        return this.written(current, (c) => receipts.reduce(applyReceipt, c));
      }, { fence: await this.keepLock() });
    }
    // The alert timeline: a removed host's own timeline is expiring, so its events go to the fleet's only.
    const told = receipts.flatMap(receiptEvents);
    await appendTimeline(this.redis, told.filter((e) => !removed.has(e.host)), told);
    if (receipts.some((r) => r.reports.some((x) => x.pipeline))) {
      await this.store.updatePipeline((current) => {
        const next = receipts.reduce(applyPipelineReceipt, current);
        return JSON.stringify(next.alerts) === JSON.stringify(current.alerts) ? undefined : next;
      }, { fence: await this.keepLock() });
    }
    if (!(await dropReceipts(this.redis, texts.length, await this.keepLock()))) throw new FencedError("receipts");
  }

  /** Every 15 minutes and after a reload: what DingTalk refused is decided afresh. */
  private async unparkIfDue(now: number): Promise<void> {
    const last = Number((await this.redis.get(KEYS.unparkedAt)) ?? 0);
    if (!this.unparkDue && now - last < UNPARK_EVERY_MS) return;
    this.unparkDue = false;
    await this.redis.set(KEYS.unparkedAt, String(now));
    for (const robot of this.settings.robots) await releaseParked(this.redis, robot.name, await this.keepLock());
    let count = 0;
    for (const host of await this.store.loadMany(await this.store.activeHosts())) {
      if (!hasParked(host.alerts)) continue;
      count++;
      await this.store.update(host.host, (current) => this.written(current, (c) => ({ ...c, alerts: unparkAlerts(c.alerts) ?? c.alerts })), { fence: await this.keepLock() });
    }
    await this.store.updatePipeline((current) => {
      const alerts = unparkAlerts(current.alerts);
      return alerts ? { ...current, alerts } : undefined;
    }, { fence: await this.keepLock() });
    if (count > 0) this.log.info({ hosts: count }, "retrying what DingTalk refused: deciding it afresh");
  }

  private async markStale(now: number): Promise<void> {
    const candidates = await this.store.staleHosts(now);
    if (candidates.length === 0) return;
    const flow = await this.store.resultFlow();
    for (const host of candidates) {
      let fired: ReturnType<typeof alertTransitions> = [];
      let deferTo: number | undefined;
      await this.store.update(host, (current, at) => {
        if (!current || current.removed) return undefined;
        const next = applyStaleness(current, at, this.staleAfter, flow);
        if (next === current) {
          // Past its deadline yet not stale: results paused fleet-wide or just resumed.
          if (current.alerts.stale?.status !== "firing") deferTo = deferredStaleDeadline(current, at, this.staleAfter, flow);
          return undefined;
        }
        fired = alertTransitions(current, next, at);
        this.log.warn({ host }, "host is stale: no check result for several intervals");
        return { state: next };
      }, { fence: await this.keepLock() });
      if (deferTo !== undefined) await this.store.deferStale(host, deferTo);
      await appendTimeline(this.redis, fired);
    }
  }

  /** No results at all for what the membership should be producing: the scheduler or the workers are down. Reported conditions not reported again end. */
  private async markStalled(now: number, watchingSince: number): Promise<void> {
    const membership = await readMembershipMeta(this.redis);
    const lastResultAt = await this.store.lastResultSeen();
    const condition = stallCondition({ membership, ...(lastResultAt === undefined ? {} : { lastResultAt }), watchingSince, staleAfter: this.staleAfter, now });
    await this.store.updatePipeline((current, at) => {
      const expired = expirePipelineAlerts(current, at);
      const firing = expired.alerts[STALLED_ALERT]?.status === "firing";
      if (condition) {
        if (!firing) this.log.error({ message: condition.message }, "monitoring stalled: no check results are arriving");
        return firing ? (expired === current ? undefined : expired) : raisePipelineAlert(expired, condition, at);
      }
      if (!firing) return expired === current ? undefined : expired;
      this.log.info("monitoring resumed: check results are arriving again");
      return clearPipelineAlert(expired, STALLED_ALERT, at, "monitoring resumed");
    }, { fence: await this.keepLock() });
  }
}
