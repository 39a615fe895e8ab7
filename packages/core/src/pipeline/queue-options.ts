import type { Redis } from "ioredis";
import { queuePrefix } from "./queue-names.js";

/**
 * Entries kept in each queue's event stream (BullMQ's default is 10,000). Nothing in
 * fleetwatch reads the streams (no QueueEvents); with 33 queues, 10,000 entries each came to
 * ≈ 30–50 MB of Redis whatever the fleet's size. A short trail is left for `XRANGE` when
 * debugging. Every instance of a queue must say the same: each one writes it to the queue's
 * meta hash when it starts, hence one helper for all.
 */
export const QUEUE_EVENTS_KEPT = 1_000;

/** BullMQ options for a queue: its shared connection, its own hash-tagged prefix, a short event stream. */
export function queueOptions(queue: string, connection: Redis): { connection: Redis; prefix: string; streams: { events: { maxLen: number } } } {
  return { connection, prefix: queuePrefix(queue), streams: { events: { maxLen: QUEUE_EVENTS_KEPT } } };
}

/**
 * How many finished check and result jobs are kept: a fixed number for a look in Bull Board,
 * never one per host (a result job holds the full result, ≈ 4 KB). Nothing needs them: the slot claim (last-slot) stops a second check of
 * a slot, and the notifier drops a result of a slot it already applied.
 */
export const FINISHED_JOBS_KEPT = { count: 100 } as const;

/** Failed jobs are kept longer for the operator, still a bounded number. */
export const FAILED_JOBS_KEPT = { age: 86_400, count: 1_000 } as const;
