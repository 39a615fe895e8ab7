import type { Job } from "bullmq";
import { UnrecoverableError } from "bullmq";
import type { Logger } from "pino";
import type { AlertStore, HistoryRecorder, TimelineEvent } from "@fleetwatch/core";
import { alertTransitions, applyRemoval, applyResult, describePayloadError, monitorFaultCondition, raisePipelineAlert, resultJobSchema, resultPauseMs, staleDeadline } from "@fleetwatch/core";

/**
 * Applies each result to its host's alert state, compare-and-set in Redis with Redis's
 * clock: results are applied in slot start order, and an older one than already applied is
 * dropped (logged at warn, with both times), whichever notifier replica sees it.
 */
export function resultProcessor(store: AlertStore, staleAfter: () => number, log: Logger, history?: HistoryRecorder) {
  return async (job: Job): Promise<string> => {
    const parsed = resultJobSchema.safeParse(job.data);
    if (!parsed.success) throw new UnrecoverableError(`invalid result job: ${describePayloadError(parsed.error)}`);
    const data = parsed.data;
    let events: TimelineEvent[] = [];
    if (data.kind === "host-removed") {
      let removed = false;
      await store.update(data.host, (current, now) => {
        if (!current) return undefined;
        const state = applyRemoval(current, data.at, data.generation);
        removed = state !== current;
        if (!removed) return undefined;
        events = alertTransitions(current, state, now);
        // Nothing left to say about it: forget the host now rather than keep an inactive record.
        return Object.keys(state.alerts).length === 0 ? { state, delete: true } : { state };
      });
      if (removed) {
        await history?.append(events);
        await history?.expire(data.host);
      }
      log.info({ host: data.host, generation: data.generation, removed }, removed ? "host removed: its alerts resolve" : "removal event older than the host's state: ignored");
      return removed ? "removed" : "ignored";
    }
    // A fault of the monitor's own file: one pipeline alert about it, and the host's alerts hold.
    const fault = data.result.monitorFault;
    if (fault) {
      await store.updatePipeline((doc, now) => raisePipelineAlert(doc, monitorFaultCondition(fault, data.intervalMs, now), now));
      log.error({ host: data.result.host.name, monitor: fault.monitor, file: fault.file, cause: fault.cause }, "a check failed because of the monitor's own file; the host's alerts hold");
    }
    let outcome: ReturnType<typeof applyResult> | undefined;
    await store.update(data.result.host.name, (current, now) => {
      outcome = applyResult(current, data, now, { freeze: fault !== undefined });
      events = outcome.applied ? alertTransitions(current, outcome.state, now) : [];
      return outcome.applied ? { state: outcome.state, staleAt: staleDeadline(outcome.state, staleAfter()) } : undefined;
    });
    if (outcome?.applied) await history?.append(events);
    await store.noteResultSeen(resultPauseMs(data.intervalMs, staleAfter()));
    const host = data.result.host.name;
    if (outcome?.applied) {
      log.debug({ host, slotStart: data.slotStart }, "result applied");
      return "applied";
    }
    if (!outcome) {
      log.warn({ host }, "result not applied: the host's alert state was written by a newer fleetwatch");
    } else if (!outcome.applied && outcome.why === "older") {
      log.warn({ host, slotStart: data.slotStart, appliedSlotStart: outcome.lastSlotStart }, "result dropped: a result of a later slot was already applied");
    } else {
      log.info({ host, slotStart: data.slotStart, generation: data.generation }, "result dropped: the check was scheduled before the host was removed");
    }
    return "dropped";
  };
}
