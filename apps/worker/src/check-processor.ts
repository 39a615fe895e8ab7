import type { Job, Queue } from "bullmq";
import { UnrecoverableError } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { CheckResult, HostKeyStore, ResultJob, SshConnectionPool } from "@fleetwatch/core";
import { checkHost, checkJobSchema, describePayloadError, FAILED_JOBS_KEPT, FINISHED_JOBS_KEPT, RedisPinnedKeys, storeLatestResult } from "@fleetwatch/core";

/**
 * One check job: validate the payload, probe the host over its kept connection, publish the
 * result to the notifier and as the host's latest result. A bad payload fails the job with
 * its reason, no retry. A host's connection closes after three intervals unused.
 */
export function checkProcessor(redis: Redis, results: Queue<ResultJob>, log: Logger, pool: SshConnectionPool) {
  return async (job: Job): Promise<{ outcome: string; state: string }> => {
    const parsed = checkJobSchema.safeParse(job.data);
    if (!parsed.success) {
      const reason = `invalid check job: ${describePayloadError(parsed.error)}`;
      log.error({ jobId: job.id, reason }, "check job refused");
      throw new UnrecoverableError(reason);
    }
    const { host, slot, slotStart, configVersion, generation } = parsed.data;
    let pinned: RedisPinnedKeys | undefined;
    let hostKeyStore: ((h: typeof host) => HostKeyStore) | undefined;
    if (host.ssh.hostKeyPolicy === "tofu") {
      pinned = await RedisPinnedKeys.load(redis, host.address, host.ssh.port);
      hostKeyStore = () => pinned!;
    } else if (host.ssh.hostKeyPolicy === "off") {
      log.warn({ host: host.name }, "hostKeyPolicy off: the host key is NOT verified");
    }
    const result: CheckResult = await checkHost(host, {
      configVersion,
      pool,
      idleTimeoutMs: 3 * host.intervalMs,
      ...(hostKeyStore ? { hostKeyStore } : {}),
    });
    await pinned?.save();
    await results.add(
      "result",
      { kind: "result", slot, slotStart, intervalMs: host.intervalMs, for: host.for, ...(generation === undefined ? {} : { generation }), result },
      { jobId: job.id!, removeOnComplete: FINISHED_JOBS_KEPT, removeOnFail: FAILED_JOBS_KEPT, attempts: 5, backoff: { type: "exponential", delay: 500 } },
    );
    if (!(await storeLatestResult(redis, result, slotStart, 10 * host.intervalMs))) {
      log.warn({ host: host.name, jobId: job.id, slotStart }, "a newer result of this host is already stored: this one is not its latest");
    }
    log.info({ host: host.name, jobId: job.id, slot, outcome: result.outcome, state: result.state, ms: result.durationMs, reason: result.reason }, "checked");
    return { outcome: result.outcome, state: result.state };
  };
}
