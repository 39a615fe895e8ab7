import { checkQueueName, checkShards } from "./check-shards.js";
import { QUEUES, queuePrefix } from "./queue-names.js";

/** One BullMQ queue of the pipeline, as anything that lists queues sees it. */
export interface PipelineQueue {
  /** BullMQ queue name. */
  name: string;
  /** Key prefix with the queue's own hash tag (`fleetwatch:{checks-07}`): give it to BullMQ as `prefix`. */
  prefix: string;
  /** Who adds its jobs and who takes them. */
  description: string;
}

/**
 * Every BullMQ queue the pipeline uses. Bull Board, the queue-depth metrics and status
 * commands list queues from here, so a queue added to the pipeline shows everywhere at once.
 * The check queue comes as its shards, `checks-00` … `checks-31`.
 */
export function pipelineQueues(): readonly PipelineQueue[] {
  return [
    ...checkShards().map((shard) => {
      const name = checkQueueName(shard);
      return { name, prefix: queuePrefix(name), description: `check shard ${shard}: one check per host per slot for the hosts hashed here, scheduler → the worker leasing it` };
    }),
    { name: QUEUES.results, prefix: queuePrefix(QUEUES.results), description: "one result per check: workers → notifier" },
  ];
}
