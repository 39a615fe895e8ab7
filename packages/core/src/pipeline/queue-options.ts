import type { Redis } from "ioredis";
import { queuePrefix } from "./queue-names.js";

/** BullMQ options for a queue: its shared connection and its own hash-tagged prefix. */
export function queueOptions(queue: string, connection: Redis): { connection: Redis; prefix: string } {
  return { connection, prefix: queuePrefix(queue) };
}

/** Finished jobs are kept at least this long, so a re-run of the same slot is recognised. */
export const keepJobsFor = (intervalMs: number) => ({ age: Math.max(60, Math.ceil((2 * intervalMs) / 1000)) });
