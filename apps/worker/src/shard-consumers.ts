import type { Job } from "bullmq";
import { WaitingError, Worker } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { ShardLeases } from "@fleetwatch/core";
import { checkQueueName, queueOptions, recordCheckShards, Semaphore } from "@fleetwatch/core";

export interface ShardConsumerOptions {
  /** Checks this process runs at once, over all its shards. */
  concurrency: number;
  lockDurationMs: number;
  stalledIntervalMs: number;
}

/**
 * One BullMQ Worker per check shard this process leases, started and closed as its leases
 * change. `concurrency` bounds the checks running in the whole process: each shard's Worker
 * may take that many jobs, and a job starts its check once a place is free (in the order
 * taken), so a shard with slow or hung hosts borrows the places the others do not use. A
 * job still waiting for a place when its shard closes (SIGTERM, shard given away) goes back
 * to its queue for the shard's next holder. All Workers share one main Redis connection
 * (`connection`); BullMQ gives each a blocking connection of its own.
 */
export class ShardConsumers {
  private readonly workers = new Map<number, Worker>();
  /** Shards whose Worker is closing (in-flight checks finishing), then released. */
  private readonly closing = new Map<number, Promise<void>>();
  private readonly places: Semaphore;

  constructor(
    private readonly connection: Redis,
    private readonly leases: ShardLeases,
    private readonly processor: (job: Job) => Promise<unknown>,
    private options: ShardConsumerOptions,
    private readonly log: Logger,
    private readonly onError: (error: Error) => void,
    /** A shard came to this process or left it (what is kept per host of it may be stale). */
    private readonly onShardMoved: (shard: number) => void = () => {},
  ) {
    this.places = new Semaphore(options.concurrency);
  }

  /** Shards consumed now (their Worker open and not closing). */
  consuming(): number[] {
    return [...this.workers.keys()].sort((a, b) => a - b);
  }

  /** One renewal round: open the shards given to this worker, close the ones given away or lost. */
  async renew(): Promise<void> {
    // A failed round (Redis unreachable) throws and changes nothing: a worker that cannot reach
    // Redis takes no checks either, and its leases lapse for the others to take.
    const round = await this.leases.round();
    for (const shard of round.lost) {
      this.log.warn({ shard }, "shard lease lost (not renewed in time, another worker has it): stopped taking its checks");
      void this.stop(shard, false);
    }
    const given = round.giveUp.filter((shard) => this.workers.has(shard));
    if (given.length > 0) this.log.info({ shards: given, workers: round.workers }, "shards given to another worker: finishing their checks in flight, then releasing them");
    for (const shard of round.giveUp) void this.stop(shard, true);
    const opened = round.consume.filter((shard) => !this.workers.has(shard) && !this.closing.has(shard));
    for (const shard of opened) this.open(shard);
    recordCheckShards(this.workers.size);
    if (opened.length > 0 || round.lost.length > 0 || given.length > 0) {
      this.log.info({ shards: this.consuming(), opened, workers: round.workers, worker: this.leases.id }, `consuming ${this.workers.size} check shard(s)`);
    }
  }

  /** Concurrency changed (config reload). */
  setOptions(options: ShardConsumerOptions): void {
    this.options = options;
    this.places.setLimit(options.concurrency);
    for (const worker of this.workers.values()) worker.concurrency = options.concurrency;
  }

  /** Shutdown: stop taking checks, let those in flight finish, release every lease, unregister. */
  async close(): Promise<void> {
    await Promise.all([...this.consuming().map((shard) => this.stop(shard, false)), ...this.closing.values()]);
    await this.leases.leave();
  }

  private open(shard: number): void {
    const name = checkQueueName(shard);
    const worker: Worker = new Worker(name, (job: Job, token?: string) => this.run(shard, worker, job, token), {
      ...queueOptions(name, this.connection),
      concurrency: this.options.concurrency,
      lockDuration: this.options.lockDurationMs,
      stalledInterval: this.options.stalledIntervalMs,
      maxStalledCount: 2,
    });
    worker.on("failed", (job, error) => this.log.warn({ jobId: job?.id, shard, reason: error.message }, "check job failed"));
    worker.on("error", this.onError);
    this.workers.set(shard, worker);
    this.onShardMoved(shard);
  }

  /** Closes a shard's Worker (waiting for its checks in flight); with `release`, then hands its lease back. */
  private stop(shard: number, release: boolean): Promise<void> {
    const pending = this.closing.get(shard);
    if (pending) return pending;
    const worker = this.workers.get(shard);
    this.workers.delete(shard);
    const done = (async () => {
      try {
        await worker?.close();
        if (release) await this.leases.release([shard]);
      } finally {
        this.closing.delete(shard);
        this.onShardMoved(shard);
      }
    })();
    this.closing.set(shard, done);
    done.catch((error: Error) => this.log.warn({ shard, err: error.message }, "closing a check shard failed; its lease lapses by itself"));
    return done;
  }

  /** Runs a job's check once a place is free, or hands the job back if its shard closed meanwhile. */
  private async run(shard: number, worker: Worker, job: Job, token: string | undefined): Promise<unknown> {
    const release = await this.places.acquire();
    try {
      if (this.workers.get(shard) !== worker) {
        await job.moveToWait(token);
        throw new WaitingError();
      }
      return await this.processor(job);
    } finally {
      release();
    }
  }
}
