import type { Job, Queue } from "bullmq";
import { UnrecoverableError } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { CheckResult, CpuBaselines, HostKeyStore, ResultJob, SshConnectionPool } from "@fleetwatch/core";
import {
  checkHost,
  FAILED_JOBS_KEPT,
  fetchHostKey,
  FINISHED_JOBS_KEPT,
  KnownThenPinnedKeys,
  knownHostsFile,
  readCheckJob,
  recordRefusedJob,
  recordUpgradedJob,
  RedisPinnedKeys,
  storeLatestResult,
} from "@fleetwatch/core";

/**
 * One check job: read the payload (the previous version upgraded on read), probe the host
 * over its kept connection, publish the result to the notifier and as the host's latest
 * result. A malformed or newer payload fails the job with its reason, no retry, and is
 * counted. A host's connection closes after three intervals unused. CPU is the share since
 * the counters the host's previous check left (kept in memory while this worker holds the
 * host's shard, else read from its latest result while the probe runs), so the probe needs
 * no sampling pause.
 */
export function checkProcessor(redis: Redis, results: Queue<ResultJob>, log: Logger, pool: SshConnectionPool, cpuBaselines: CpuBaselines) {
  return async (job: Job): Promise<{ outcome: string; state: string }> => {
    const read = readCheckJob(job.data);
    if (!read.ok) {
      recordRefusedJob("checks", read.refusal);
      log.error({ jobId: job.id, refusal: read.refusal, reason: read.reason }, "check job refused");
      throw new UnrecoverableError(read.reason);
    }
    if (read.upgradedFrom !== undefined) recordUpgradedJob("checks", read.upgradedFrom);
    const { host, slot, slotStart, configVersion, generation } = read.job;
    let pinned: RedisPinnedKeys | undefined;
    let hostKeyStore: ((h: typeof host) => HostKeyStore) | undefined;
    if (host.ssh.hostKeyPolicy === "tofu") {
      pinned = await RedisPinnedKeys.load(redis, host.address, host.ssh.port);
      // A host knownHosts lists keeps its listed key; only an unlisted one is pinned (in Redis).
      const store = new KnownThenPinnedKeys(knownHostsFile(host.ssh.knownHosts), pinned);
      hostKeyStore = () => store;
      const held = store.lookup(host.address, host.ssh.port);
      if (held.ok && held.value.keys.length === 0 && held.value.certAuthorityLine === undefined) {
        // First use: pin the key the host shows before anything may run, so workers racing on a
        // new host agree on one key and the others refuse theirs. If the key cannot be read
        // now, the check pins it as it connects, as before.
        const shown = await fetchHostKey(host.address, host.ssh.port, host.ssh.connectTimeoutMs + host.ssh.handshakeTimeoutMs);
        if (shown.ok && !held.value.revoked.some((key) => key.equals(shown.value))) await pinned.pinFirst(shown.value);
      }
    } else if (host.ssh.hostKeyPolicy === "off") {
      log.warn({ host: host.name }, "hostKeyPolicy off: the host key is NOT verified");
    }
    // Unreadable counters only cost this check its CPU figure; the result's own write reports a Redis outage.
    const previousCpu = cpuBaselines.previous(host.name).catch(() => undefined);
    const result: CheckResult = await checkHost(host, {
      configVersion,
      previousCpu,
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
    const storedAsLatest = await storeLatestResult(redis, result, slotStart, 10 * host.intervalMs);
    cpuBaselines.remember(host.name, result.metrics, storedAsLatest);
    if (!storedAsLatest) {
      log.warn({ host: host.name, jobId: job.id, slotStart }, "a newer result of this host is already stored: this one is not its latest");
    }
    const lagMs = result.startedAt - slotStart;
    log.info({ host: host.name, jobId: job.id, slot, slotStart, lagMs, outcome: result.outcome, state: result.state, ms: result.durationMs, reason: result.reason }, "checked");
    return { outcome: result.outcome, state: result.state };
  };
}
