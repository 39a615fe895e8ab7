import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { CheckJob, Lease, LoadedFleet, ResolvedHost, ResultJob } from "@fleetwatch/core";
import {
  CHECK_JOB_VERSION,
  acquireLease,
  checkJobId,
  claimSlot,
  clearRemoval,
  encodeId,
  forgetHost,
  hostOffset,
  keepJobsFor,
  lastClaimedJob,
  membershipDiff,
  pendingRemovals,
  publishMembership,
  readMembership,
  readMembershipMeta,
  redisNow,
  releaseLease,
  slotAt,
} from "@fleetwatch/core";

const BUSY_STATES = new Set(["waiting", "active", "delayed", "prioritized", "waiting-children"]);

/**
 * One scheduler leads (a fenced lease in Redis), the others stand by. The leader publishes
 * the fleet's membership with a generation and enqueues one check per host per slot; every
 * Redis write it makes checks that the lease is still its own. A replica that takes over
 * from another leader follows the stored membership until its own config is reloaded.
 */
export class Scheduler {
  /** Last slot start this replica handled per host, to skip Redis work between slots. */
  private handled = new Map<string, number>();
  private fleet: LoadedFleet;
  private lease: Lease | undefined;
  /** The membership scheduled from (the one published or adopted), and its generation. */
  private members: ResolvedHost[] = [];
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
    private readonly checks: Queue<CheckJob>,
    private readonly results: Queue<ResultJob>,
    fleet: LoadedFleet,
    private readonly id: string,
    private readonly log: Logger,
    private readonly options: { leaseMs?: number } = {},
  ) {
    this.fleet = fleet;
  }

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
    if (this.lease?.token !== lease.token) {
      this.lease = lease;
      this.handled.clear();
      if (this.pending) await this.publish(lease);
      else await this.adopt();
    } else if (this.pending) await this.publish(lease);
    if (!this.lease) return;
    await this.queueRemovals();
    const now = await redisNow(this.redis);
    for (const host of this.members) {
      const slot = slotAt(now, host.intervalMs, hostOffset(host.name, host.intervalMs));
      if ((this.handled.get(host.name) ?? -Infinity) >= slot.start) continue;
      if (!(await this.schedule(lease, host, slot))) return;
    }
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

  private async publish(lease: Lease): Promise<void> {
    const outcome = await publishMembership(this.redis, lease, this.fleet.hosts, this.fleet.version);
    if (!outcome) return this.lost();
    this.pending = undefined;
    this.members = this.fleet.hosts;
    this.generation = outcome.generation;
    this.comparedGeneration = outcome.generation;
    this.handled.clear();
    for (const host of outcome.removed) await forgetHost(this.redis, host);
    this.log.info(
      { generation: outcome.generation, hosts: this.members.length, added: outcome.added.length, removed: outcome.removed, changed: outcome.changed.length, token: lease.token },
      "leading: membership published",
    );
  }

  /** Took over from another leader: schedule what it published. */
  private async adopt(): Promise<void> {
    const membership = await readMembership(this.redis);
    this.members = membership.members;
    this.generation = membership.generation;
    if (membership.unreadable.length > 0) this.log.error({ hosts: membership.unreadable }, "membership entries that cannot be read are skipped");
    this.log.info({ generation: membership.generation, hosts: membership.members.length, token: this.lease?.token }, "leading: took over, following the published membership");
    this.comparedGeneration = -1;
    await this.compareWithPublished();
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

  /** Returns false when the lease was lost (stop scheduling). */
  private async schedule(lease: Lease, host: ResolvedHost, slot: { index: number; start: number }): Promise<boolean> {
    const previous = await lastClaimedJob(this.redis, host.name);
    if (previous) {
      const state = await this.checks.getJobState(previous);
      if (BUSY_STATES.has(state)) {
        this.log.debug({ host: host.name, previous, state }, "previous check still queued or running: not piling on");
        return true;
      }
    }
    const jobId = checkJobId(encodeId(host.name), slot.start);
    const claim = await claimSlot(this.redis, lease, host.name, slot.start, host.intervalMs, jobId);
    if (claim === "not-leader") {
      this.lost();
      return false;
    }
    this.handled.set(host.name, slot.start);
    if (claim === "taken") return true;
    const data: CheckJob = { version: CHECK_JOB_VERSION, host, slot: slot.index, slotStart: slot.start, configVersion: this.fleet.version, generation: this.generation };
    const keep = keepJobsFor(host.intervalMs);
    await this.checks.add("check", data, { jobId, removeOnComplete: keep, removeOnFail: keep, attempts: 1 });
    this.log.debug({ host: host.name, slotStart: slot.start, jobId }, "check enqueued");
    return true;
  }

  /** How often to look: a twentieth of the shortest interval, between 50 ms and 1 s. */
  tickMs(): number {
    const shortest = Math.min(60_000, ...this.fleet.hosts.map((h) => h.intervalMs), ...this.members.map((h) => h.intervalMs));
    return Math.max(50, Math.min(1_000, Math.floor(shortest / 20)));
  }
}
