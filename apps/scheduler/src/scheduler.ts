import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { CheckJob, LoadedFleet, ResolvedHost, ResultJob } from "@fleetwatch/core";
import { checkJobId, claimSlot, encodeId, forgetHost, hostOffset, KEYS, keepJobsFor, lastClaimedJob, redisNow, slotAt } from "@fleetwatch/core";

const BUSY_STATES = new Set(["waiting", "active", "delayed", "prioritized", "waiting-children"]);

/**
 * Enqueues one check per host per slot, idempotently across replicas: the slot comes from
 * Redis's clock, the slot is claimed in Redis, and the job id is the host plus the slot.
 */
export class Scheduler {
  /** Last slot index this replica handled per host, to skip Redis work between slots. */
  private handled = new Map<string, number>();
  private fleet: LoadedFleet;

  constructor(
    private readonly redis: Redis,
    private readonly checks: Queue<CheckJob>,
    private readonly results: Queue<ResultJob>,
    fleet: LoadedFleet,
    private readonly log: Logger,
  ) {
    this.fleet = fleet;
  }

  /** A new config: settings apply to the next check; removed hosts stop and their alerts resolve. */
  async useConfig(fleet: LoadedFleet): Promise<void> {
    this.fleet = fleet;
    this.handled.clear();
    await this.syncHostList();
  }

  /** Compares the config with the hosts scheduled so far (shared by all replicas, kept over restarts). */
  async syncHostList(): Promise<void> {
    const names = new Set(this.fleet.hosts.map((h) => h.name));
    const scheduled = await this.redis.smembers(KEYS.scheduledHosts);
    const removed = scheduled.filter((name) => !names.has(name));
    if (names.size > 0) await this.redis.sadd(KEYS.scheduledHosts, ...names);
    const now = await redisNow(this.redis);
    for (const host of removed) {
      await this.results.add(
        "host-removed",
        { kind: "host-removed", host, at: now },
        { jobId: `removed.${encodeId(host)}.${this.fleet.version}`, removeOnComplete: { age: 3600 }, removeOnFail: { age: 86400 } },
      );
      await forgetHost(this.redis, host);
      await this.redis.srem(KEYS.scheduledHosts, host);
      this.log.info({ host }, "host removed from config: stopped checking it");
    }
  }

  async tick(): Promise<void> {
    const now = await redisNow(this.redis);
    for (const host of this.fleet.hosts) {
      const slot = slotAt(now, host.intervalMs, hostOffset(host.name, host.intervalMs));
      if ((this.handled.get(host.name) ?? -1) >= slot.index) continue;
      await this.schedule(host, slot);
    }
  }

  private async schedule(host: ResolvedHost, slot: { index: number; start: number }): Promise<void> {
    const previous = await lastClaimedJob(this.redis, host.name);
    if (previous) {
      const state = await this.checks.getJobState(previous);
      if (BUSY_STATES.has(state)) {
        this.log.debug({ host: host.name, previous, state }, "previous check still queued or running: not piling on");
        return;
      }
    }
    const jobId = checkJobId(encodeId(host.name), slot.index);
    this.handled.set(host.name, slot.index);
    if (!(await claimSlot(this.redis, host.name, slot.start, host.intervalMs, jobId))) return;
    const data: CheckJob = { host, slot: slot.index, slotStart: slot.start, configVersion: this.fleet.version };
    const keep = keepJobsFor(host.intervalMs);
    await this.checks.add("check", data, { jobId, removeOnComplete: keep, removeOnFail: keep, attempts: 1 });
    this.log.debug({ host: host.name, slot: slot.index, jobId }, "check enqueued");
  }

  /** How often to look: a twentieth of the shortest interval, between 50 ms and 1 s. */
  tickMs(): number {
    const shortest = Math.min(60_000, ...this.fleet.hosts.map((h) => h.intervalMs));
    return Math.max(50, Math.min(1_000, Math.floor(shortest / 20)));
  }
}
