import type { MembershipMeta } from "../pipeline/membership.js";
import type { PipelineCondition } from "./pipeline-alerts.js";
import { STALLED_ALERT } from "./pipeline-alerts.js";

export interface StallInput {
  /** The published membership: how many hosts, and the shortest interval among them. */
  membership: Pick<MembershipMeta, "hosts" | "minIntervalMs" | "publishedAt">;
  /** Redis time of the last result of any host, if one was ever seen. */
  lastResultAt?: number;
  /** When this notifier started watching (Redis time): no result yet is judged from then. */
  watchingSince: number;
  staleAfter: number;
  now: number;
}

/**
 * "Monitoring stalled", judged by what the membership should be producing: with hosts to
 * check, a result is due at least every shortest interval; none for `staleAfter` of them
 * means the scheduler or the workers are down. No hosts, nothing expected, no stall.
 */
export function stallCondition(input: StallInput): PipelineCondition | undefined {
  const { membership, staleAfter, now } = input;
  if (membership.hosts === 0 || membership.minIntervalMs === undefined) return undefined;
  const since = Math.max(input.lastResultAt ?? input.watchingSince, membership.publishedAt ?? 0);
  const silentFor = now - since;
  if (silentFor < staleAfter * membership.minIntervalMs) return undefined;
  return {
    name: STALLED_ALERT,
    severity: "critical",
    since,
    message: `monitoring stalled: no check results for ${Math.round(silentFor / 1000)}s, while ${membership.hosts} host(s) should report at least every ${Math.round(membership.minIntervalMs / 1000)}s (scheduler or workers down?)`,
  };
}
