import type { NotifySettings } from "../notify/notify-settings.js";
import type { GroupTimer } from "./plan-dispatch.js";

/**
 * When the next group with a change not yet sent becomes due: a new group `groupWait` after
 * its first change, a group already told `groupInterval` after its last message. Undefined
 * when nothing waits. The dispatcher wakes then instead of at its next regular tick, so a
 * message goes out within moments of being due.
 */
export function nextGroupDueAt(timers: Readonly<Record<string, GroupTimer | null>>, settings: Pick<NotifySettings, "groupWaitMs" | "groupIntervalMs">): number | undefined {
  let next: number | undefined;
  for (const timer of Object.values(timers)) {
    if (!timer || timer.firstChangeAt === undefined) continue;
    const due = timer.lastFlushAt === undefined ? timer.firstChangeAt + settings.groupWaitMs : timer.lastFlushAt + settings.groupIntervalMs;
    next = next === undefined ? due : Math.min(next, due);
  }
  return next;
}
