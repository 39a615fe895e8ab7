import type { Redis } from "ioredis";
import { queuePrefix } from "./queue-names.js";

/** BullMQ options for a queue: its shared connection and its own hash-tagged prefix. */
export function queueOptions(queue: string, connection: Redis): { connection: Redis; prefix: string } {
  return { connection, prefix: queuePrefix(queue) };
}

/**
 * How many finished check and result jobs are kept: a fixed number for a look in Bull Board,
 * never one per host (a result job holds the full result, ≈ 4 KB). Nothing needs them: the slot claim (last-slot) stops a second check of
 * a slot, and the notifier drops a result of a slot it already applied.
 */
export const FINISHED_JOBS_KEPT = { count: 100 } as const;

/** Failed jobs are kept longer for the operator, still a bounded number. */
export const FAILED_JOBS_KEPT = { age: 86_400, count: 1_000 } as const;
