import type { Job } from "bullmq";
import { UnrecoverableError } from "bullmq";
import type { Logger } from "pino";
import type { AlertStore, HistoryRecorder, TimelineEvent } from "@fleetwatch/core";
import { alertTransitions, applyRemoval, applyResult, describePayloadError, resultJobSchema, staleDeadline } from "@fleetwatch/core";

/**
 * Applies each result to its host's alert state, compare-and-set in Redis: results are
 * applied in slot order, and an older one than already applied is dropped, whichever
 * notifier replica sees it.
 */
export function resultProcessor(store: AlertStore, staleAfter: () => number, log: Logger, history?: HistoryRecorder) {
  return async (job: Job): Promise<string> => {
    const parsed = resultJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid result job: ${describePayloadError(parsed.error)}`);
    const data = parsed.data;
    const now = Date.now();
    let events: TimelineEvent[] = [];
    if (data.kind === "host-removed") {
      await store.update(data.host, (current) => {
        if (!current) return undefined;
        const state = applyRemoval(current, data.at);
        events = alertTransitions(current, state, now);
        // Nothing left to say about it: forget the host now rather than keep an inactive record.
        return Object.keys(state.alerts).length === 0 ? { state, delete: true } : { state };
      });
      await history?.append(events);
      await history?.expire(data.host);
      log.info({ host: data.host }, "host removed: its alerts resolve");
      return "removed";
    }
    let applied = false;
    await store.update(data.result.host.name, (current) => {
      const next = applyResult(current, data, now);
      applied = next.applied;
      events = next.applied ? alertTransitions(current, next.state, now) : [];
      return next.applied ? { state: next.state, staleAt: staleDeadline(next.state, staleAfter()) } : undefined;
    });
    await history?.append(events);
    await store.noteResultSeen(now);
    log.debug({ host: data.result.host.name, slot: data.slot, applied }, applied ? "result applied" : "older result dropped");
    return applied ? "applied" : "dropped";
  };
}
