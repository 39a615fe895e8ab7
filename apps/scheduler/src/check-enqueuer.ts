import type { Queue } from "bullmq";
import type { Redis } from "ioredis";
import type { BatchClaim, CheckJob, DueEntry, ResolvedHost } from "@fleetwatch/core";
import { CHECK_JOB_VERSION, checkQueueOf, checksStillRunning, FAILED_JOBS_KEPT, FINISHED_JOBS_KEPT, groupBy, hostOffset } from "@fleetwatch/core";

/** The check queue of a queue name (`checks-07`: see checkQueueOf). */
export type CheckQueueByName = (queueName: string) => Queue<CheckJob>;

/** What a check job carries beyond its host and slot. */
export interface EnqueueContext {
  configVersion: string;
  generation: number;
}

/**
 * Of the due hosts, those whose previous check is still queued or running: one pipelined
 * read per check queue (its keys share the queue's hash tag, so this holds on a cluster
 * too), no per-host round trip.
 */
export async function hostsStillChecking(redis: Redis, due: readonly DueEntry[]): Promise<Set<string>> {
  const asked = due.filter((e): e is DueEntry & { lastJobId: string } => e.lastJobId !== undefined);
  const busy = new Set<string>();
  for (const [queueName, group] of groupBy(asked, (e) => checkQueueOf(e.host))) {
    const running = await checksStillRunning(redis, queueName, group.map((e) => e.lastJobId));
    group.forEach((e, i) => running[i] && busy.add(e.host));
  }
  return busy;
}

/** Adds the claimed checks, one `addBulk` per check queue; the job id (host and slot start) dedups a re-run. Returns how many. */
export async function enqueueClaims(queues: CheckQueueByName, claims: readonly BatchClaim[], members: ReadonlyMap<string, ResolvedHost>, context: EnqueueContext): Promise<number> {
  let added = 0;
  for (const [queueName, group] of groupBy(claims, (c) => checkQueueOf(c.host))) {
    const jobs = [];
    for (const claim of group) {
      const host = members.get(claim.host);
      if (!host) continue;
      const slot = Math.round((claim.slotStart - hostOffset(host.name, host.intervalMs)) / host.intervalMs);
      const data: CheckJob = { version: CHECK_JOB_VERSION, host, slot, slotStart: claim.slotStart, configVersion: context.configVersion, generation: context.generation };
      jobs.push({ name: "check", data, opts: { jobId: claim.jobId, removeOnComplete: FINISHED_JOBS_KEPT, removeOnFail: FAILED_JOBS_KEPT, attempts: 1 } });
    }
    if (jobs.length === 0) continue;
    await queues(queueName).addBulk(jobs);
    added += jobs.length;
  }
  return added;
}
