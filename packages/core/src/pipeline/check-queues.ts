import { Queue } from "bullmq";
import type { Redis } from "ioredis";
import { checkQueueName, checkQueueOf, checkShards } from "./check-shards.js";
import type { CheckJob } from "./job-schemas.js";
import { queueOptions } from "./queue-options.js";

/** A BullMQ Queue per check shard on one connection, for whoever adds or inspects check jobs. */
export class CheckQueues {
  private readonly queues: Map<string, Queue<CheckJob>>;

  constructor(connection: Redis) {
    this.queues = new Map(checkShards().map((shard) => [checkQueueName(shard), new Queue<CheckJob>(checkQueueName(shard), queueOptions(checkQueueName(shard), connection))]));
  }

  /** The queue of the shard a host's checks go to. */
  of(hostName: string): Queue<CheckJob> {
    return this.queues.get(checkQueueOf(hostName))!;
  }

  /** The queue of this name (`checks-07`). */
  named(queueName: string): Queue<CheckJob> {
    const queue = this.queues.get(queueName);
    if (!queue) throw new Error(`bug: no check queue named ${queueName}`);
    return queue;
  }

  all(): Queue<CheckJob>[] {
    return [...this.queues.values()];
  }

  async close(): Promise<void> {
    await Promise.all(this.all().map((queue) => queue.close()));
  }
}
