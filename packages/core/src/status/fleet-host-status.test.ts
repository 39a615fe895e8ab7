import { describe, expect, it } from "vitest";
import type { Alert, HostAlerts } from "../alerting/alert-state.js";
import { HOST_ALERTS_FORMAT } from "../alerting/alert-state.js";
import type { Silence } from "../alerting/silence.js";
import type { Outcome } from "../result/outcome.js";
import type { FleetHostStatusInput } from "./fleet-host-status.js";
import { fleetHostStatus } from "./fleet-host-status.js";
import { fleetHostStateRank, FLEET_HOST_STATES } from "./fleet-host-state.js";

const S = 1_000;
const MIN = 60 * S;

const alert = (check: string, status: Alert["status"], severity: Alert["severity"] = "critical", extra: Partial<Alert> = {}): Alert => ({
  check,
  status,
  severity,
  count: 2,
  since: 0,
  message: `${check} ${status}`,
  epoch: 1,
  decided: {},
  delivered: {},
  ...extra,
});

const hostAlerts = (lastResultAt: number, ...alerts: Alert[]): HostAlerts => ({
  format: HOST_ALERTS_FORMAT,
  host: "web-1",
  lastSlotStart: lastResultAt,
  lastResultAt,
  intervalMs: MIN,
  for: 2,
  alerts: Object.fromEntries(alerts.map((a) => [a.check, a])),
  version: 1,
});

const silence = (host: string, check: string, startsAt: number, endsAt: number): Silence => ({
  id: `${host}-${check}`,
  scope: "host",
  host,
  check,
  startsAt,
  endsAt,
  author: "ops",
  reason: "maintenance",
  createdAt: startsAt,
});

const at = (now: number, rest: Partial<FleetHostStatusInput> = {}): FleetHostStatusInput => ({
  host: "web-1",
  silences: [],
  now,
  intervalMs: MIN,
  staleAfter: 3,
  ...rest,
});

describe("fleetHostStatus: one state per host, on a fake clock", () => {
  it("follows a host from healthy to pending to critical to silenced to stale", () => {
    // t=0: first result ok.
    expect(fleetHostStatus(at(0, { latest: { at: 0, state: "ok" }, alerts: hostAlerts(0) })).state).toBe("ok");
    // t=1m: cpu over its critical level once (for: 2): pending, not critical.
    const pending = fleetHostStatus(at(MIN, { latest: { at: MIN, state: "critical" }, alerts: hostAlerts(MIN, alert("cpu", "pending")) }));
    expect(pending).toMatchObject({ state: "pending", check: "cpu", ageMs: 0 });
    // t=2m: second time: firing critical.
    const firing = hostAlerts(2 * MIN, alert("cpu", "firing"));
    expect(fleetHostStatus(at(2 * MIN + 5 * S, { latest: { at: 2 * MIN, state: "critical" }, alerts: firing }))).toMatchObject({ state: "critical", check: "cpu", ageMs: 5 * S });
    // an operator silences cpu on web-1 for an hour.
    const muted = [silence("web-1", "cpu", 2 * MIN, 62 * MIN)];
    expect(fleetHostStatus(at(3 * MIN, { latest: { at: 3 * MIN, state: "critical" }, alerts: firing, silences: muted }))).toMatchObject({ state: "silenced", silencedChecks: ["cpu"] });
    // results stop: 3 intervals after the last one the host is stale (the data shown is old), not "no result".
    const last = { at: 3 * MIN, state: "critical" as const };
    expect(fleetHostStatus(at(5 * MIN + 59 * S, { latest: last, alerts: hostAlerts(3 * MIN, alert("cpu", "firing")) })).state).toBe("critical");
    expect(fleetHostStatus(at(6 * MIN, { latest: last, alerts: hostAlerts(3 * MIN, alert("cpu", "firing")) }))).toMatchObject({ state: "stale", ageMs: 3 * MIN });
    // the silence ends after an hour: the stale cpu host is stale again, not silenced.
    expect(fleetHostStatus(at(62 * MIN, { latest: last, alerts: firing, silences: muted })).state).toBe("stale");
  });

  it("applies the stated precedence when several things are true at once", () => {
    const now = 10 * MIN;
    const latest = { at: now, state: "critical" as const };
    const everything = hostAlerts(
      now,
      alert("reachability", "firing"),
      alert("cpu", "firing", "critical"),
      alert("memory", "firing", "warning"),
      alert("process:nginx", "firing", "warning", { unknown: true }),
      alert("disk:/", "pending"),
    );
    const state = (alerts: HostAlerts, silences: Silence[] = []) => fleetHostStatus(at(now, { latest, alerts, silences })).state;
    expect(state(everything)).toBe("unreachable");
    expect(state(everything, [silence("web-1", "reachability", 0, now + MIN)])).toBe("critical");
    expect(state(everything, [silence("web-1", "reachability,cpu", 0, now + MIN)])).toBe("warning");
    expect(state(everything, [silence("web-1", "reachability,cpu,memory", 0, now + MIN)])).toBe("unknown");
    expect(state(everything, [silence("web-1", "reachability,cpu,memory,process:*", 0, now + MIN)])).toBe("pending");
    expect(state(everything, [silence("web-*", "*", 0, now + MIN)])).toBe("silenced");
    // a firing stale alert outranks everything but a silence
    expect(state(hostAlerts(now, alert("stale", "firing", "warning"), alert("reachability", "firing")))).toBe("stale");
  });

  it("shows a host that answers and refuses (changed host key, refused key) as critical, one that does not answer as unreachable", () => {
    const now = 10 * MIN;
    const ssh = hostAlerts(now, alert("ssh", "firing"));
    const of = (outcome: Outcome) => fleetHostStatus(at(now, { latest: { at: now, state: "critical", outcome }, alerts: ssh })).state;
    expect(of("hostkey_mismatch")).toBe("critical");
    expect(of("auth_failed")).toBe("critical");
    expect(of("ssh_timeout")).toBe("unreachable");
    expect(fleetHostStatus(at(now, { latest: { at: now, state: "critical", outcome: "unreachable" }, alerts: hostAlerts(now, alert("reachability", "firing")) })).state).toBe("unreachable");
  });

  it("shows a host in maintenance (a silence on every check) as silenced even when it is fine", () => {
    const input = at(MIN, { latest: { at: MIN, state: "ok" }, alerts: hostAlerts(MIN), silences: [silence("web-1", "*", 0, 2 * MIN)] });
    expect(fleetHostStatus(input).state).toBe("silenced");
    expect(fleetHostStatus({ ...input, now: 2 * MIN }).state).toBe("ok");
  });

  it("shows a bad result the notifier has not judged yet as pending, and a lone unknown as unknown", () => {
    expect(fleetHostStatus(at(0, { latest: { at: 0, state: "critical" } })).state).toBe("pending");
    expect(fleetHostStatus(at(0, { latest: { at: 0, state: "unknown" } })).state).toBe("unknown");
  });

  it("calls a member never checked pending at first and stale once its window has passed", () => {
    expect(fleetHostStatus(at(2 * MIN, { memberSince: 0 })).state).toBe("ok");
    expect(fleetHostStatus(at(3 * MIN, { memberSince: 0 }))).toMatchObject({ state: "stale", reason: "no check result yet" });
  });

  it("uses the host's own interval from its alert state for staleness", () => {
    const alerts = { ...hostAlerts(0), intervalMs: 10 * MIN };
    expect(fleetHostStatus(at(20 * MIN, { latest: { at: 0, state: "ok" }, alerts })).state).toBe("ok");
    expect(fleetHostStatus(at(30 * MIN, { latest: { at: 0, state: "ok" }, alerts })).state).toBe("stale");
  });

  it("sorts worst first: unreachable and critical before muted and fine", () => {
    const sorted = [...FLEET_HOST_STATES].sort((a, b) => fleetHostStateRank(a) - fleetHostStateRank(b));
    expect(sorted).toEqual(["unreachable", "critical", "stale", "warning", "unknown", "pending", "silenced", "ok"]);
  });
});
