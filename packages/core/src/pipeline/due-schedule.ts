import { slotAt } from "./slot-schedule.js";

/**
 * When a host is next due, the rules the batch claim script (claim-batch.ts) applies in Lua,
 * written out here as pure functions of the host's interval, offset, last claim and `now`,
 * so they are tested on a fake clock. The script and these functions must agree.
 */

/** The first slot start of a host's grid (interval, offset) at or after `t`. */
export function slotStartAtOrAfter(t: number, intervalMs: number, offsetMs: number): number {
  return Math.ceil((t - offsetMs) / intervalMs) * intervalMs + offsetMs;
}

/** What the batch claim decides for one due host. */
export type DueDecision =
  /** Enqueue a check for the slot starting at `slotStart`; look again at `nextDue`. */
  | { kind: "claim"; slotStart: number; slotIndex: number; nextDue: number }
  /** The slot (or one less than an interval before it) was claimed already: look again at `nextDue`. */
  | { kind: "taken"; nextDue: number }
  /** Its previous check is still queued or running: not piling on, look again at `nextDue`. */
  | { kind: "busy"; nextDue: number };

export interface DueHost {
  intervalMs: number;
  offsetMs: number;
  /** Start of the last slot claimed for it, if any (from any interval it had). */
  lastStart?: number;
  /** Its previous check is still queued or running. */
  busy: boolean;
}

/** How long a host whose previous check is still running waits before it is looked at again: a tenth of its interval, at least `minMs`. */
export const busyRetryMs = (intervalMs: number, minMs: number): number => Math.max(minMs, Math.floor(intervalMs / 10));

/**
 * The decision for a host taken from the due set at `now`. A claim needs the last claimed
 * slot to have started at least one (current) interval earlier, so a changed interval
 * neither doubles a check nor skips one; the host is then next due at the first slot start
 * on its grid where that holds.
 */
export function decideDue(host: DueHost, now: number, minRetryMs: number): DueDecision {
  if (host.busy) return { kind: "busy", nextDue: now + busyRetryMs(host.intervalMs, minRetryMs) };
  const slot = slotAt(now, host.intervalMs, host.offsetMs);
  if (host.lastStart !== undefined && slot.start - host.lastStart < host.intervalMs) {
    return { kind: "taken", nextDue: slotStartAtOrAfter(host.lastStart + host.intervalMs, host.intervalMs, host.offsetMs) };
  }
  return { kind: "claim", slotStart: slot.start, slotIndex: slot.index, nextDue: slot.start + host.intervalMs };
}

/** `items` in consecutive batches of at most `size`. */
export function inBatches<T>(items: readonly T[], size: number): T[][] {
  if (!(size >= 1)) throw new RangeError(`batch size must be at least 1, got ${size}`);
  const batches: T[][] = [];
  for (let i = 0; i < items.length; i += size) batches.push(items.slice(i, i + size));
  return batches;
}

/** Items grouped by a key, in first-seen order of the keys (e.g. check jobs by their queue). */
export function groupBy<T>(items: readonly T[], keyOf: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const key = keyOf(item);
    const group = groups.get(key);
    if (group) group.push(item);
    else groups.set(key, [item]);
  }
  return groups;
}
