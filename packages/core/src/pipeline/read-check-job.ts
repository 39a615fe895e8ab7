import type { CheckJob } from "./job-schemas.js";
import { CHECK_JOB_VERSION, CHECK_JOB_VERSIONS_READ, checkJobSchema, checkJobV1Schema, describePayloadError } from "./job-schemas.js";

/** Why a check job was refused: a version this code does not read, or a payload that is not a check job. */
export type CheckJobRefusal = "version" | "malformed";

export type ReadCheckJob =
  | { ok: true; job: CheckJob; /** The version the job was written in, when it was upgraded on read. */ upgradedFrom?: number }
  | { ok: false; refusal: CheckJobRefusal; reason: string };

const PREFIX = "invalid check job";

/**
 * Reads a check job's data as it came off the queue: the current version as it is, the
 * previous one (written before check jobs had a version) upgraded on read, and anything
 * else refused with a reason that says what is wrong. Never throws.
 */
export function readCheckJob(data: unknown): ReadCheckJob {
  if (typeof data !== "object" || data === null || Array.isArray(data)) {
    return { ok: false, refusal: "malformed", reason: `${PREFIX}: (data): expected an object, got ${Array.isArray(data) ? "an array" : data === null ? "null" : typeof data}` };
  }
  const version = (data as { version?: unknown }).version;
  if (version === undefined || version === 1) {
    const { version: _ignored, ...fields } = data as Record<string, unknown>;
    const parsed = checkJobV1Schema.safeParse(fields);
    if (!parsed.success) return { ok: false, refusal: "malformed", reason: `${PREFIX}: ${describePayloadError(parsed.error)}` };
    return { ok: true, job: { ...parsed.data, version: CHECK_JOB_VERSION }, upgradedFrom: 1 };
  }
  if (version !== CHECK_JOB_VERSION) {
    const newer = typeof version === "number" && Number.isInteger(version) && version > CHECK_JOB_VERSION;
    return {
      ok: false,
      refusal: "version",
      reason:
        `${PREFIX}: version: check job version ${JSON.stringify(version)} is not one this fleetwatch reads (${CHECK_JOB_VERSIONS_READ.join(", ")})` +
        (newer ? "; the scheduler is newer than this worker: upgrade the worker" : ""),
    };
  }
  const parsed = checkJobSchema.safeParse(data);
  if (!parsed.success) return { ok: false, refusal: "malformed", reason: `${PREFIX}: ${describePayloadError(parsed.error)}` };
  return { ok: true, job: parsed.data };
}
