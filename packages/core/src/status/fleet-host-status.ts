import type { HostAlerts } from "../alerting/alert-state.js";
import type { Silence } from "../alerting/silence.js";
import { silences as isSilenced } from "../alerting/silence.js";
import type { Severity } from "../evaluate/severity.js";
import type { Outcome } from "../result/outcome.js";
import type { FleetHostState } from "./fleet-host-state.js";

/** What the host status is judged from. Times are epoch ms. */
export interface FleetHostStatusInput {
  host: string;
  /** The latest result the worker stored, reduced to what matters here; undefined if none. */
  latest?: { at: number; state: Severity; outcome?: Outcome };
  /** The notifier's alert state of the host; undefined before its first result was applied. */
  alerts?: HostAlerts;
  silences: readonly Silence[];
  now: number;
  /** The host's check interval. */
  intervalMs: number;
  /** Missed intervals before a host is stale (notify.staleAfter). */
  staleAfter: number;
  /** When the host joined the fleet, if known: a host never checked is stale after the same window. */
  memberSince?: number;
}

export interface FleetHostStatus {
  state: FleetHostState;
  /** The check that decided the state (`cpu`, `reachability`, `stale`…), absent for ok. */
  check?: string;
  /** Why, in words, from the deciding alert. */
  reason?: string;
  /** Checks with a problem that a silence mutes. */
  silencedChecks: string[];
  /** Time of the latest result, and how old it is. */
  lastResultAt?: number;
  ageMs?: number;
}

/** Checks about reaching the host: a firing one means the host is unreachable, not merely critical. */
const REACH_CHECKS: ReadonlySet<string> = new Set(["reachability", "ssh"]);
/**
 * Outcomes of the `ssh` check that are a host answering and refusing (a key refused, a changed
 * host key): critical, not unreachable, so an operator does not go looking at the network.
 */
const REFUSING_OUTCOMES: ReadonlySet<Outcome> = new Set(["auth_failed", "hostkey_unknown", "hostkey_mismatch"]);
const reaching = (check: string, outcome: Outcome | undefined): boolean =>
  REACH_CHECKS.has(check) && !(check === "ssh" && outcome !== undefined && REFUSING_OUTCOMES.has(outcome));

interface Problem {
  state: Exclude<FleetHostState, "silenced" | "ok">;
  check: string;
  reason: string;
}

const ORDER: readonly Problem["state"][] = ["stale", "unreachable", "critical", "warning", "unknown", "pending"];

/**
 * The host's one state. Precedence, the first that applies:
 *
 * 1. **silenced**: the host has problems and a silence mutes every one of them, or a silence
 *    matches the host for every check (`*`: maintenance).
 * 2. **stale**: no result for `staleAfter` intervals (or the notifier's `stale` alert fires).
 * 3. **unreachable**: a firing reachability or ssh alert, unless the latest result says the
 *    host answered and refused (a key refused, a changed or unknown host key): then critical.
 * 4. **critical** / 5. **warning**: a firing alert of that severity.
 * 6. **unknown**: a firing alert whose check could not be judged, or a latest result of
 *    state unknown that no alert explains.
 * 7. **pending**: a non-ok check not yet confirmed `for` times (or not yet seen by the
 *    notifier). A pending alert is never shown as critical.
 * 8. **ok**.
 *
 * Problems a silence mutes do not count for 2–7. Pure: a function of its input and `now`.
 */
export function fleetHostStatus(input: FleetHostStatusInput): FleetHostStatus {
  const { host, latest, alerts, now } = input;
  const lastResultAt = latest?.at ?? alerts?.lastResultAt;
  const base: Pick<FleetHostStatus, "lastResultAt" | "ageMs"> = lastResultAt === undefined ? {} : { lastResultAt, ageMs: Math.max(0, now - lastResultAt) };
  const problems: Problem[] = [];

  const interval = alerts?.intervalMs ?? input.intervalMs;
  const window = input.staleAfter * interval;
  const since = lastResultAt ?? input.memberSince;
  if (since !== undefined && now - since >= window) {
    problems.push({ state: "stale", check: "stale", reason: lastResultAt === undefined ? "no check result yet" : "no recent check result" });
  }
  for (const alert of Object.values(alerts?.alerts ?? {})) {
    if (alert.status === "resolved") continue;
    if (alert.status === "pending") {
      problems.push({ state: "pending", check: alert.check, reason: alert.message });
      continue;
    }
    const state: Problem["state"] =
      alert.check === "stale" ? "stale" : reaching(alert.check, latest?.outcome) ? "unreachable" : alert.unknown ? "unknown" : alert.severity;
    problems.push({ state, check: alert.check, reason: alert.message });
  }
  const explained = problems.length > 0;
  if (latest && latest.state !== "ok" && !explained) {
    // The notifier has not judged it yet (or it is a one-off unknown): show it, never as critical.
    problems.push({ state: latest.state === "unknown" ? "unknown" : "pending", check: "result", reason: `latest result is ${latest.state}` });
  }

  const muted = (p: Problem) => isSilenced(input.silences, host, p.check, now);
  const silencedChecks = problems.filter(muted).map((p) => p.check);
  const open = problems.filter((p) => !muted(p));
  const maintenance = input.silences.some((s) => s.check === "*" && isSilenced([s], host, "*", now));

  if (maintenance || (problems.length > 0 && open.length === 0)) {
    const first = problems[0];
    return { state: "silenced", ...(first ? { check: first.check, reason: first.reason } : {}), silencedChecks, ...base };
  }
  for (const state of ORDER) {
    const hit = open.find((p) => p.state === state);
    if (hit) return { state, check: hit.check, reason: hit.reason, silencedChecks, ...base };
  }
  return { state: "ok", silencedChecks, ...base };
}
