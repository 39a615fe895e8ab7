import { z } from "zod";
import { resolvedHostSchema } from "../config/resolved-host.js";
import { checkResultSchema } from "../result/check-result.js";

/**
 * Version of the check job payload written by this code. 1 is the form before versions (no
 * `version` field); 2 added the field. A worker reads the current and the previous version
 * (see readCheckJob) and refuses newer ones.
 */
export const CHECK_JOB_VERSION = 2;
/** Check job versions this code reads: the current one and the one before. */
export const CHECK_JOB_VERSIONS_READ = [1, 2] as const;

/** The fields of a check job, version 1 (unversioned): what schedulers before versions wrote. */
export const checkJobV1Schema = z.object({
  host: resolvedHostSchema,
  /** Slot index: floor((redis time - host offset) / interval). */
  slot: z.number().int().nonnegative(),
  /** Start of the slot, epoch ms by Redis's clock. */
  slotStart: z.number().int(),
  configVersion: z.string(),
  /** Membership generation the host was scheduled under (absent from schedulers before it existed). */
  generation: z.number().int().nonnegative().optional(),
});

/** What the scheduler asks a worker to do: check one host, for one time slot (the current version). */
export const checkJobSchema = checkJobV1Schema.extend({
  version: z.literal(CHECK_JOB_VERSION),
});
export type CheckJob = z.infer<typeof checkJobSchema>;

/** What a worker tells the notifier: a check's result, with what the notifier needs to judge it. */
export const resultJobSchema = z.discriminatedUnion("kind", [
  z.object({
    kind: z.literal("result"),
    slot: z.number().int().nonnegative(),
    slotStart: z.number().int(),
    intervalMs: z.number().positive(),
    for: z.number().int().min(1),
    /** The check job's membership generation, passed on. */
    generation: z.number().int().nonnegative().optional(),
    result: checkResultSchema,
  }),
  /** The scheduler stopped checking a host (removed from config): its alerts resolve once. */
  z.object({
    kind: z.literal("host-removed"),
    host: z.string(),
    at: z.number().int(),
    /** The membership generation that removed it. */
    generation: z.number().int().nonnegative().optional(),
  }),
]);
export type ResultJob = z.infer<typeof resultJobSchema>;

/** One DingTalk message, ready to send. */
export const notificationJobSchema = z.object({
  robot: z.string(),
  title: z.string(),
  markdown: z.string(),
  atMobiles: z.array(z.string()),
  isAtAll: z.boolean(),
  groupKey: z.string(),
  createdAt: z.number().int(),
});
export type NotificationJob = z.infer<typeof notificationJobSchema>;

/** `path: message` for every problem with a job's data, for the job's failed reason. */
export function describePayloadError(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.join(".") || "(data)"}: ${i.message}`).join("; ");
}
