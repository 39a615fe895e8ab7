import { QUEUES, queuePrefix } from "./queue-names.js";

/** One BullMQ queue of the pipeline, as anything that lists queues sees it. */
export interface PipelineQueue {
  /** BullMQ queue name. */
  name: string;
  /** Key prefix with the queue's own hash tag (`fleetwatch:{checks}`): give it to BullMQ as `prefix`. */
  prefix: string;
  /** Who adds its jobs and who takes them. */
  description: string;
}

/**
 * Every BullMQ queue the pipeline uses. Bull Board, the queue-depth metrics and status
 * commands list queues from here, so a queue added to the pipeline (for example a shard of
 * the check queue) shows everywhere at once.
 */
export function pipelineQueues(): readonly PipelineQueue[] {
  return [
    { name: QUEUES.checks, prefix: queuePrefix(QUEUES.checks), description: "one check per host per slot: scheduler → workers" },
    { name: QUEUES.results, prefix: queuePrefix(QUEUES.results), description: "one result per check: workers → notifier" },
  ];
}
