import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { CheckJob, Lease, LoadedFleet, ResolvedHost, ResultJob } from "@fleetwatch/core";
import {
  acquireLease,
  claimBatch,
  clearRemoval,
  dropScheduledHosts,
  dueHosts,
  encodeId,
  enrollDue,
  inBatches,
  membershipDiff,
  pendingRemovals,
  publishMembership,
  readMembership,
  readMembershipMeta,
  redisNow,
  releaseLease,
} from "@fleetwatch/core";
import type { CheckQueueByName } from "./check-enqueuer.js";
import { enqueueClaims, hostsStillChecking } from "./check-enqueuer.js";

export interface SchedulerOptions {
  /** How long the lease lasts without renewal. @defaultValue 10 ticks, at least 5 s */
  leaseMs?: number;
  /** Due hosts claimed per script call. @defaultValue 1,000 */
  batchSize?: number;
}

/**
 * One scheduler leads (a fenced lease in Redis), the others stand by. The leader publishes
 * the fleet's membership with a generation and enqueues one check per host per slot; every
 * Redis write it makes checks that the lease is still its own. A replica that takes over
 * from another leader follows the stored membership until its own config is reloaded.
 */
export class Scheduler {
  private fleet: LoadedFleet;
  private lease: Lease | undefined;
  /** When the lease was last renewed (local clock), so a long round renews it in time. */
  private renewedAt = 0;
  /** The membership scheduled from (the one published or adopted), and its generation. */
  private members: ResolvedHost[] = [];
  private byName = new Map<string, ResolvedHost>();
  private shortestIntervalMs = 60_000;
  private generation = 0;
  /**
   * Why this replica's file should be published when it leads: it just started (dropped once
   * it has seen another leader: that one's membership is the fleet's), or the operator
   * reloaded it while it led (kept until published). Undefined: follow the published membership.
   */
  private pending: "start" | "reload" | undefined = "start";
  /** Generation this replica last compared its file with (warn once per change). */
  private comparedGeneration = -1;

  constructor(
    private readonly redis: Redis,
    checks: Queue<CheckJob> | CheckQueueByName,
    private readonly results: Queue<ResultJob>,
    fleet: LoadedFleet,
    private readonly id: string,
    private readonly log: Logger,
    private readonly options: SchedulerOptions = {},
  ) {
    this.checks = typeof checks === "function" ? checks : () => checks;
    this.fleet = fleet;
    this.shortestIntervalMs = shortestInterval(fleet.hosts);
  }

  private readonly checks: CheckQueueByName;

  get leading(): boolean {
    return this.lease !== undefined;
  }

  /**
   * A new config (SIGHUP): published at the next tick if this replica leads, compared with the
   * published one if not. A standby's reload is never published later, at a takeover: a file
   * reloaded before or after the others' must not remove or re-add anyone then.
   */
  useConfig(fleet: LoadedFleet): void {
    this.fleet = fleet;
    this.shortestIntervalMs = Math.min(shortestInterval(fleet.hosts), shortestInterval(this.members));
    if (this.leading) this.pending = "reload";
    else if (this.pending === "reload") this.pending = undefined;
    this.comparedGeneration = -1;
  }

  /** How long a lease lasts without renewal: a standby takes over this long after the leader dies. */
  leaseMs(): number {
    return this.options.leaseMs ?? Math.max(5_000, 10 * this.tickMs());
  }

  async tick(): Promise<void> {
    const lease = await acquireLease(this.redis, this.id, this.leaseMs());
    if (!lease) return this.follow();
    this.renewedAt = Date.now();
    if (this.lease?.token !== lease.token) {
      this.lease = lease;
      if (this.pending) await this.publish(lease);
      else await this.adopt(lease);
    } else if (this.pending) await this.publish(lease);
    else if (await this.membershipLost()) await this.republish(lease);
    if (!this.lease) return;
    await this.queueRemovals();
    await this.enqueueDue(lease);
  }

  /**
   * Takes the hosts due now from the due set, a batch at a time: which of them still have a
   * check queued or running (one pipeline), the claims (one script, Redis's clock, fenced),
   * then one `addBulk` per check queue. Renews the lease between batches on a long round,
   * and ends a round after ten ticks' time even when more is due (a scheduler that falls
   * behind still reports its rounds, queues removals and publishes a reloaded file).
   */
  private async enqueueDue(lease: Lease): Promise<void> {
    const batchSize = this.options.batchSize ?? 1_000;
    const roundEnds = Date.now() + 10 * this.tickMs();
    for (;;) {
      const { due } = await dueHosts(this.redis, batchSize);
      if (due.length === 0) return;
      const known = due.filter((e) => this.byName.has(e.host));
      const drop = due.filter((e) => !this.byName.has(e.host)).map((e) => e.host);
      const busy = await hostsStillChecking(this.redis, known);
      const batch = known.map((e) => ({ name: e.host, intervalMs: this.byName.get(e.host)!.intervalMs, busy: busy.has(e.host) }));
      const outcome = await claimBatch(this.redis, lease, batch, drop, this.tickMs());
      if (outcome === "not-leader") return this.lost();
      if (busy.size > 0) this.log.debug({ hosts: [...busy].slice(0, 20), count: busy.size }, "previous check still queued or running: not piling on");
      const added = await enqueueClaims(this.checks, outcome.claimed, this.byName, { configVersion: this.fleet.version, generation: this.generation });
      this.log.debug({ due: due.length, claimed: outcome.claimed.length, added, busy: busy.size, dropped: drop.length }, "checks enqueued");
      if (due.length < batchSize || Date.now() > roundEnds || !(await this.renewIfDue(lease))) return;
    }
  }

  /** In a long round (a first tick over 100,000 hosts), renews the lease every third of its term; false when it was lost. */
  private async renewIfDue(lease: Lease): Promise<boolean> {
    if (Date.now() - this.renewedAt < this.leaseMs() / 3) return true;
    const renewed = await acquireLease(this.redis, this.id, this.leaseMs());
    if (renewed?.token !== lease.token) return (this.lost(), false);
    this.renewedAt = Date.now();
    return true;
  }

  /** Hand the lease over at once on shutdown. */
  async stop(): Promise<void> {
    if (this.lease) await releaseLease(this.redis, this.lease);
    this.lease = undefined;
  }

  private lost(): void {
    if (this.lease) this.log.warn({ token: this.lease.token }, "lost the scheduler lease: another replica leads now");
    this.lease = undefined;
  }

  /** Standing by: another replica leads. */
  private async follow(): Promise<void> {
    if (this.lease) this.lost();
    // Another leader's membership is the fleet's: neither the file it started with nor one
    // reloaded while it did not lead is published at a later takeover.
    this.pending = undefined;
    await this.compareWithPublished();
  }

  /** Says so (once per published generation) when this replica's file differs from the membership in force. */
  private async compareWithPublished(): Promise<void> {
    const meta = await readMembershipMeta(this.redis);
    if (meta.generation === this.comparedGeneration) return;
    this.comparedGeneration = meta.generation;
    const membership = await readMembership(this.redis);
    const diff = membershipDiff(new Map(membership.members.map((h) => [h.name, JSON.stringify(h)])), this.fleet.hosts);
    if (diff.set.length + diff.removed.length === 0) {
      this.pending = undefined;
      return;
    }
    this.log.warn(
      { generation: meta.generation, publishedConfig: meta.configVersion, fileConfig: this.fleet.version, onlyInFile: diff.added, onlyPublished: diff.removed, different: diff.changed },
      "this replica's config file differs from the published membership; following the published one (SIGHUP the leading scheduler, or this one when it leads, to publish a file)",
    );
  }

  /**
   * Redis no longer holds the membership this replica published or adopted (it restarted
   * without its data, or was flushed): the stored generation went back. One read a tick.
   */
  private async membershipLost(): Promise<boolean> {
    if (this.generation === 0) return false;
    return (await readMembershipMeta(this.redis)).generation < this.generation;
  }

  /** Publishes again what this replica schedules, after Redis lost it: every host due at once. */
  private async republish(lease: Lease): Promise<void> {
    this.log.warn(
      { generation: this.generation, hosts: this.members.length },
      "Redis has lost the published membership (restarted without its data?): publishing it again",
    );
    await this.publish(lease, this.members);
  }

  private async publish(lease: Lease, hosts: ResolvedHost[] = this.fleet.hosts): Promise<void> {
    const outcome = await publishMembership(this.redis, lease, hosts, this.fleet.version);
    if (!outcome) return this.lost();
    this.pending = undefined;
    this.follows(hosts);
    this.generation = outcome.generation;
    this.comparedGeneration = outcome.generation;
    for (const names of inBatches(outcome.removed, 1_000)) await dropScheduledHosts(this.redis, names);
    if (!(await this.enrol(lease, [...outcome.added, ...outcome.changed]))) return;
    this.log.info(
      { generation: outcome.generation, hosts: this.members.length, added: outcome.added.length, removed: outcome.removed, changed: outcome.changed.length, token: lease.token },
      "leading: membership published",
    );
  }

  /** Took over from another leader: schedule what it published. */
  private async adopt(lease: Lease): Promise<void> {
    const membership = await readMembership(this.redis);
    // A new lease over a store that went back (Redis restarted without its data): ours stands.
    if (membership.generation < this.generation && this.members.length > 0) return this.republish(lease);
    this.follows(membership.members);
    this.generation = membership.generation;
    if (membership.unreadable.length > 0) this.log.error({ hosts: membership.unreadable }, "membership entries that cannot be read are skipped");
    this.log.info({ generation: membership.generation, hosts: membership.members.length, token: this.lease?.token }, "leading: took over, following the published membership");
    this.comparedGeneration = -1;
    await this.compareWithPublished();
    await this.enrol(lease, []);
  }

  /** The hosts this replica schedules from now on. */
  private follows(hosts: ResolvedHost[]): void {
    this.members = hosts;
    this.byName = new Map(hosts.map((h) => [h.name, h]));
    this.shortestIntervalMs = Math.min(shortestInterval(this.fleet.hosts), shortestInterval(hosts));
  }

  /**
   * Keeps the due set in step with the membership: `changed` hosts (added, or settings such
   * as the interval changed) are due at once and the claim rules decide their next slot;
   * every other member is added only if missing (a due set kept by the previous leader stays).
   * False when the lease was lost.
   */
  private async enrol(lease: Lease, changed: readonly string[]): Promise<boolean> {
    for (const names of inBatches(changed, 1_000)) {
      if (!(await this.renewIfDue(lease))) return false;
      if (!(await enrollDue(this.redis, lease, names, "reset"))) return (this.lost(), false);
    }
    for (const names of inBatches(this.members.map((h) => h.name), 1_000)) {
      if (!(await this.renewIfDue(lease))) return false;
      if (!(await enrollDue(this.redis, lease, names, "missing"))) return (this.lost(), false);
    }
    return true;
  }

  /** Removal events, with the generation that removed each host: the notifier resolves their alerts once. */
  private async queueRemovals(): Promise<void> {
    const pending = await pendingRemovals(this.redis);
    if (pending.size === 0) return;
    const now = await redisNow(this.redis);
    for (const [host, generation] of pending) {
      await this.results.add(
        "host-removed",
        { kind: "host-removed", host, at: now, generation },
        { jobId: `removed.${encodeId(host)}.${generation}`, removeOnComplete: { age: 3600 }, removeOnFail: { age: 86400 } },
      );
      await clearRemoval(this.redis, host, generation);
      this.log.info({ host, generation }, "host removed from the membership: stopped checking it");
    }
  }

  /** How often to look: a twentieth of the shortest interval, between 50 ms and 1 s. */
  tickMs(): number {
    return Math.max(50, Math.min(1_000, Math.floor(this.shortestIntervalMs / 20)));
  }
}

/** The shortest interval among hosts, at most 60 s (a loop: a spread of 100,000 arguments overflows the stack). */
function shortestInterval(hosts: readonly ResolvedHost[]): number {
  let shortest = 60_000;
  for (const h of hosts) if (h.intervalMs < shortest) shortest = h.intervalMs;
  return shortest;
}
