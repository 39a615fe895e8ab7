import { describe, expect, it } from "vitest";
import type { CheckItem } from "../evaluate/check-item.js";
import type { NotifySettings } from "../notify/notify-settings.js";
import type { ResultJob } from "../pipeline/job-schemas.js";
import type { Outcome } from "../result/outcome.js";
import type { HostAlerts } from "./alert-state.js";
import type { ResultFlow } from "./apply-result.js";
import { applyRemoval, applyResult, applyStaleness, deferredStaleDeadline, resultPauseMs } from "./apply-result.js";
import type { DispatchPlan, GroupTimer } from "./plan-dispatch.js";
import { applyDecided, applyPipelineDecided, planDispatch } from "./plan-dispatch.js";
import type { DeliveryReceipt } from "./delivery-markers.js";
import { applyPipelineReceipt, applyReceipt, unparkAlerts } from "./delivery-markers.js";
import type { PipelineAlerts } from "./pipeline-alerts.js";
import { clearPipelineAlert, emptyPipelineAlerts, expirePipelineAlerts, raisePipelineAlert, STALLED_ALERT } from "./pipeline-alerts.js";
import { monitorFaultCondition } from "./monitor-fault-alert.js";
import type { Silence } from "./silence.js";

const S = 1_000;
const settings: NotifySettings = {
  groupWaitMs: 30 * S,
  groupIntervalMs: 300 * S,
  repeatIntervalMs: 4 * 3600 * S,
  sendResolved: true,
  locale: "en",
  timezone: "UTC",
  staleAfter: 3,
  robots: [{ name: "ops", webhookRef: "${W}", atMobiles: [], atAll: false, mentionOn: "critical", minState: "warning" }],
};

/** A fleet replayed against a fake clock: results in, messages out, as the notifier would. */
class Timeline {
  now = 0;
  hosts = new Map<string, HostAlerts>();
  timers: Record<string, GroupTimer> = {};
  silences: Silence[] = [];
  sent: DispatchPlan["messages"] = [];
  pipeline: PipelineAlerts = emptyPipelineAlerts();
  private slot = new Map<string, number>();

  result(host: string, checks: Record<string, CheckItem["state"]>, outcome: Outcome = "ok", group?: string, intervalMs = 60 * S): void {
    // Slots as the scheduler makes them: index and start from the clock and the interval.
    const start = Math.max(this.now, (this.slot.get(host) ?? -1) + 1);
    this.slot.set(host, start);
    const slot = Math.floor(start / intervalMs);
    const items: CheckItem[] = Object.entries(checks).map(([name, state]) => ({ name, state, message: `${name} ${state}` }));
    const job: Extract<ResultJob, { kind: "result" }> = {
      kind: "result",
      slot,
      slotStart: start,
      intervalMs,
      for: 2,
      result: {
        version: 1,
        host: { name: host, address: "10.0.0.1", port: 22, ...(group ? { group } : {}) },
        outcome,
        state: "ok",
        metrics: null,
        checks: items,
        startedAt: this.now,
        finishedAt: this.now,
        durationMs: 1,
        timings: { connectMs: 0, handshakeMs: 0, commandMs: 0 },
        retried: false,
        ...(outcome === "ok" ? {} : { reason: `${outcome} reason` }),
      },
    };
    const { state } = applyResult(this.hosts.get(host), job, this.now);
    if (state) this.hosts.set(host, state);
  }

  /** Advances the clock, ticking the dispatcher every 5 s. */
  advance(ms: number, s: NotifySettings = settings): void {
    const end = this.now + ms;
    while (this.now < end) {
      this.now = Math.min(end, this.now + 5 * S);
      this.tick(s);
    }
  }

  tick(s: NotifySettings = settings): void {
    const plan = planDispatch({ hosts: [...this.hosts.values()], pipeline: this.pipeline, timers: this.timers, silences: this.silences, settings: s, now: this.now });
    this.pipeline = applyPipelineDecided(this.pipeline, plan.decided);
    for (const [key, timer] of Object.entries(plan.timers)) {
      if (timer) this.timers[key] = timer;
      else delete this.timers[key];
    }
    for (const [name, host] of this.hosts) this.hosts.set(name, applyDecided(host, plan.decided));
    this.sent.push(...plan.messages);
    // DingTalk answers at once (or refuses, for the robots in `failing`).
    for (const m of plan.messages) this.receipt({ robot: m.robot, messageId: m.id, outcome: this.failing.has(m.robot) ? "parked" : "delivered", reports: m.reports, at: this.now });
  }

  failing = new Set<string>();

  receipt(receipt: DeliveryReceipt): void {
    this.pipeline = applyPipelineReceipt(this.pipeline, receipt);
    for (const [name, host] of this.hosts) this.hosts.set(name, applyReceipt(host, receipt));
  }

  /** The parked messages' retry. */
  unpark(): void {
    for (const [name, host] of this.hosts) {
      const alerts = unparkAlerts(host.alerts);
      if (alerts) this.hosts.set(name, { ...host, alerts });
    }
  }

  take(): DispatchPlan["messages"] {
    const out = this.sent;
    this.sent = [];
    return out;
  }
}

const summary = (messages: DispatchPlan["messages"]) =>
  messages.map((m) => ({
    firing: m.firing.map((a) => `${a.host}/${a.check}=${a.severity}`),
    resolved: m.resolved.map((a) => `${a.host}/${a.check}`),
    reminder: m.reminder,
  }));

describe("alert timeline (fake clock)", () => {
  it("fires once on the for-th bad check after groupWait, repeats after repeatInterval, resolves once", () => {
    const t = new Timeline();
    t.result("web-1", { cpu: "critical" });
    t.advance(60 * S);
    expect(t.take()).toEqual([]); // pending: 1 of 2
    t.result("web-1", { cpu: "critical" });
    t.advance(25 * S);
    expect(t.take()).toEqual([]); // firing, but waiting groupWait
    t.advance(10 * S);
    expect(summary(t.take())).toEqual([{ firing: ["web-1/cpu=critical"], resolved: [], reminder: false }]);
    for (let i = 0; i < 10; i++) {
      t.result("web-1", { cpu: "critical" });
      t.advance(60 * S);
    }
    expect(t.take()).toEqual([]); // still firing: nothing before repeatInterval
    t.advance(4 * 3600 * S);
    expect(summary(t.take())).toEqual([{ firing: ["web-1/cpu=critical"], resolved: [], reminder: true }]);
    t.result("web-1", { cpu: "ok" });
    t.advance(300 * S);
    expect(summary(t.take())).toEqual([{ firing: [], resolved: ["web-1/cpu"], reminder: false }]);
    t.result("web-1", { cpu: "ok" });
    t.advance(3600 * S);
    expect(t.take()).toEqual([]);
    expect(t.hosts.get("web-1")!.alerts).toEqual({});
  });

  it("sends nothing for an alert that resolves within groupWait", () => {
    const t = new Timeline();
    t.result("web-1", { disk: "warning" });
    t.result("web-1", { disk: "warning" });
    t.advance(10 * S);
    t.result("web-1", { disk: "ok" });
    t.advance(600 * S);
    expect(t.take()).toEqual([]);
  });

  it("notifies a change of severity without restarting the count", () => {
    const t = new Timeline();
    t.result("db-1", { disk: "warning" });
    t.result("db-1", { disk: "warning" });
    t.advance(30 * S);
    expect(summary(t.take())[0]!.firing).toEqual(["db-1/disk=warning"]);
    t.result("db-1", { disk: "critical" }); // one critical result: still firing, now critical
    t.advance(300 * S);
    expect(summary(t.take())).toEqual([{ firing: ["db-1/disk=critical"], resolved: [], reminder: false }]);
  });

  it("groups changes: later alerts wait for groupInterval and go out together", () => {
    const t = new Timeline();
    t.result("a", { cpu: "critical" });
    t.result("a", { cpu: "critical" });
    t.advance(30 * S);
    expect(t.take()).toHaveLength(1);
    t.result("b", { memory: "warning" });
    t.result("b", { memory: "warning" });
    t.advance(60 * S);
    t.result("c", { load: "warning" });
    t.result("c", { load: "warning" });
    t.advance(200 * S);
    expect(t.take()).toEqual([]);
    t.advance(60 * S);
    expect(summary(t.take())).toEqual([{ firing: ["a/cpu=critical", "b/memory=warning", "c/load=warning"], resolved: [], reminder: false }]);
  });

  it("freezes resource alerts while the host is unreachable, and fires the host-level alert", () => {
    const t = new Timeline();
    t.result("web-1", { disk: "critical" });
    t.result("web-1", { disk: "critical" });
    t.advance(30 * S);
    t.take();
    t.result("web-1", { reachability: "critical" }, "unreachable");
    t.result("web-1", { reachability: "critical" }, "unreachable");
    t.advance(300 * S);
    expect(summary(t.take())).toEqual([{ firing: ["web-1/disk=critical", "web-1/reachability=critical"], resolved: [], reminder: false }]);
    expect(t.hosts.get("web-1")!.alerts.disk!.status).toBe("firing");
    t.result("web-1", { disk: "ok" });
    t.advance(300 * S);
    expect(summary(t.take())).toEqual([{ firing: [], resolved: ["web-1/disk", "web-1/reachability"], reminder: false }]);
  });

  it("drops a result older than one already applied", () => {
    const t = new Timeline();
    t.result("web-1", { cpu: "critical" });
    const state = t.hosts.get("web-1")!;
    const older = applyResult(state, { kind: "result", slot: 0, slotStart: 0, intervalMs: 60 * S, for: 2, result: {} as never }, 0);
    expect(older.applied).toBe(false);
  });

  it("mutes silenced alerts and sends them when the silence expires if still firing", () => {
    const t = new Timeline();
    t.silences = [{ id: "s1", scope: "host", host: "web-*", check: "disk*", startsAt: 0, endsAt: 600 * S, author: "ops", reason: "migration", createdAt: 0 }];
    t.result("web-1", { "disk:/var": "critical" });
    t.result("web-1", { "disk:/var": "critical" });
    t.advance(590 * S);
    expect(t.take()).toEqual([]);
    t.advance(40 * S);
    expect(summary(t.take())).toEqual([{ firing: ["web-1/disk:/var=critical"], resolved: [], reminder: false }]);
  });

  it("resolves a removed host's alerts once", () => {
    const t = new Timeline();
    t.result("old", { cpu: "critical" });
    t.result("old", { cpu: "critical" });
    t.advance(30 * S);
    t.take();
    t.hosts.set("old", applyRemoval(t.hosts.get("old")!, t.now));
    t.advance(300 * S);
    const [message] = t.take();
    expect(message!.resolved[0]).toMatchObject({ host: "old", check: "cpu", removed: true });
    t.advance(600 * S);
    expect(t.take()).toEqual([]);
  });

  it("reports a host stale after 3 intervals without a result, and resolves it on the next", () => {
    const t = new Timeline();
    t.result("web-1", { cpu: "ok" });
    t.advance(170 * S);
    t.hosts.set("web-1", applyStaleness(t.hosts.get("web-1")!, t.now, 3));
    expect(t.hosts.get("web-1")!.alerts.stale).toBeUndefined();
    t.advance(15 * S);
    t.hosts.set("web-1", applyStaleness(t.hosts.get("web-1")!, t.now, 3));
    t.advance(30 * S);
    expect(summary(t.take())).toEqual([{ firing: ["web-1/stale=warning"], resolved: [], reminder: false }]);
    t.result("web-1", { cpu: "ok" });
    t.advance(300 * S);
    expect(summary(t.take())).toEqual([{ firing: [], resolved: ["web-1/stale"], reminder: false }]);
  });

  it("pages no host stale when the whole monitor paused (a Redis restart), and still finds the one host that stays silent", () => {
    const t = new Timeline();
    const flow: ResultFlow = {};
    const report = (host: string) => {
      t.result(host, { cpu: "ok" });
      // As the notifier's script stamps results: a resumption after a fleet-wide pause.
      if (flow.lastAt !== undefined && t.now - flow.lastAt >= resultPauseMs(60 * S, 3)) flow.resumedAt = t.now;
      flow.lastAt = t.now;
    };
    const judge = () => {
      for (const host of ["web-1", "web-2", "web-3"]) t.hosts.set(host, applyStaleness(t.hosts.get(host)!, t.now, 3, flow));
    };
    report("web-1");
    report("web-2");
    report("web-3");
    // The monitor is down for 5 minutes: no result from anyone. No host is stale meanwhile.
    for (let i = 0; i < 10; i++) {
      t.advance(30 * S);
      judge();
    }
    // Results resume; web-3 reports late in the sweep, web-1 never again.
    report("web-2");
    judge();
    t.advance(50 * S);
    report("web-3");
    judge();
    // Only web-1 stays silent: stale 3 intervals after results resumed.
    for (let i = 0; i < 5; i++) {
      t.advance(30 * S);
      report("web-2");
      report("web-3");
      judge();
    }
    t.advance(30 * S);
    expect(summary(t.take())).toEqual([{ firing: ["web-1/stale=warning"], resolved: [], reminder: false }]);
    expect(t.hosts.get("web-2")!.alerts.stale).toBeUndefined();
    expect(t.hosts.get("web-3")!.alerts.stale).toBeUndefined();
  });

  it("looks at a host past its deadline again once results resume, not every tick of a pause", () => {
    const t = new Timeline();
    t.result("web-1", { cpu: "ok" });
    const lastAt = t.now;
    t.advance(400 * S);
    const paused: ResultFlow = { lastAt };
    expect(deferredStaleDeadline(t.hosts.get("web-1")!, t.now, 3, paused)).toBe(t.now + 60 * S);
    const resumed: ResultFlow = { lastAt: t.now, resumedAt: t.now };
    expect(deferredStaleDeadline(t.hosts.get("web-1")!, t.now, 3, resumed)).toBe(t.now + 180 * S);
  });

  it("routes by fleet group and minimum state", () => {
    const routed: NotifySettings = {
      ...settings,
      robots: [
        { ...settings.robots[0]!, name: "k8s", groups: ["k8s-nodes"] },
        { ...settings.robots[0]!, name: "pager", minState: "critical" },
      ],
    };
    const t = new Timeline();
    for (const [host, group, state] of [["n1", "k8s-nodes", "warning"], ["db", "db", "critical"]] as const) {
      t.result(host, { cpu: state }, "ok", group);
      t.result(host, { cpu: state }, "ok", group);
    }
    t.advance(30 * S, routed);
    const byRobot = Object.fromEntries(t.take().map((m) => [m.robot, m.firing.map((a) => a.host)]));
    expect(byRobot).toEqual({ k8s: ["n1"], pager: ["db"] });
  });

  it("summarises a storm across many groups into one message per robot", () => {
    const t = new Timeline();
    for (let i = 0; i < 50; i++) {
      t.result(`h${i}`, { reachability: "critical" }, "unreachable", `g${i % 10}`);
      t.result(`h${i}`, { reachability: "critical" }, "unreachable", `g${i % 10}`);
    }
    t.advance(30 * S);
    const messages = t.take();
    expect(messages).toHaveLength(1);
    expect(messages[0]!.firing).toHaveLength(50);
  });
});

describe("removed hosts", () => {
  it("drops a result of a check that was in flight when the host was removed, and applies one after it is re-added", () => {
    const t = new Timeline();
    t.result("h", { cpu: "critical" });
    t.result("h", { cpu: "critical" });
    t.advance(30 * S);
    t.take();
    t.hosts.set("h", applyRemoval(t.hosts.get("h")!, t.now));
    const before = t.now;
    t.now -= 1; // a check that started just before the removal
    t.result("h", { cpu: "critical" });
    t.now = before;
    expect(t.hosts.get("h")!.removed).toBe(true);
    t.advance(300 * S);
    expect(summary(t.take())).toEqual([{ firing: [], resolved: ["h/cpu"], reminder: false }]);
    t.result("h", { cpu: "ok" });
    expect(t.hosts.get("h")!.removed).toBeUndefined();
  });
});

describe("flapping", () => {
  it("sends the RESOLVED of a told alert that flaps back through pending before it is sent", () => {
    const t = new Timeline();
    t.result("web-1", { cpu: "critical" });
    t.result("web-1", { cpu: "critical" });
    t.advance(30 * S);
    expect(summary(t.take())).toEqual([{ firing: ["web-1/cpu=critical"], resolved: [], reminder: false }]);
    t.result("web-1", { cpu: "ok" }); // resolved, waiting for groupInterval
    t.advance(10 * S);
    t.result("web-1", { cpu: "critical" }); // one bad result: a new pending run
    t.advance(10 * S);
    t.result("web-1", { cpu: "ok" }); // and ok again
    t.advance(600 * S);
    expect(summary(t.take())).toEqual([{ firing: [], resolved: ["web-1/cpu"], reminder: false }]);
    t.result("web-1", { cpu: "ok" });
    t.advance(3600 * S);
    expect(t.take()).toEqual([]);
    expect(t.hosts.get("web-1")!.alerts).toEqual({});
  });

  it("resolves a told alert that was pending when its host was removed", () => {
    const t = new Timeline();
    t.result("old", { cpu: "critical" });
    t.result("old", { cpu: "critical" });
    t.advance(30 * S);
    t.take();
    t.result("old", { cpu: "ok" });
    t.advance(5 * S);
    t.result("old", { cpu: "critical" }); // pending, told
    t.hosts.set("old", applyRemoval(t.hosts.get("old")!, t.now));
    t.advance(600 * S);
    expect(summary(t.take())).toEqual([{ firing: [], resolved: ["old/cpu"], reminder: false }]);
  });
});

describe("ordering by slot start time", () => {
  it("keeps applying results when a host's interval grows from 30 s to 60 s", () => {
    const t = new Timeline();
    t.now = 1_700_000_000_000;
    for (let i = 0; i < 5; i++) {
      t.result("web-1", { cpu: "ok" }, "ok", undefined, 30 * S);
      t.advance(30 * S);
    }
    for (let i = 0; i < 3; i++) {
      t.result("web-1", { cpu: "critical" }, "ok", undefined, 60 * S);
      t.advance(60 * S);
    }
    expect(summary(t.take())).toEqual([{ firing: ["web-1/cpu=critical"], resolved: [], reminder: false }]);
    expect(t.hosts.get("web-1")!.lastSlotStart).toBeGreaterThan(1_700_000_000_000 + 150 * S);
  });

  it("says why a result was dropped, with both slot start times", () => {
    const t = new Timeline();
    t.now = 120 * S;
    t.result("web-1", { cpu: "ok" });
    const job = { kind: "result" as const, slot: 9, slotStart: 60 * S, intervalMs: 60 * S, for: 2, result: {} as never };
    expect(applyResult(t.hosts.get("web-1"), job, t.now)).toMatchObject({ applied: false, why: "older", slotStart: 60 * S, lastSlotStart: 120 * S });
  });
});

describe("membership generations", () => {
  const job = (generation: number, slotStart: number) => ({
    kind: "result" as const,
    slot: 1,
    slotStart,
    intervalMs: 60 * S,
    for: 1,
    generation,
    result: { version: 1 as const, host: { name: "h", address: "a", port: 22 }, outcome: "ok" as const, state: "ok" as const, metrics: null, checks: [{ name: "cpu", state: "critical" as const, message: "cpu" }], startedAt: 0, finishedAt: 0, durationMs: 1, timings: { connectMs: 0, handshakeMs: 0, commandMs: 0 }, retried: false },
  });

  it("drops a result scheduled under a generation older than the host's removal, whatever its time", () => {
    const removed = applyRemoval(applyResult(undefined, job(3, 0), 0).state!, 10 * S, 4);
    expect(applyResult(removed, job(3, 20 * S), 20 * S)).toMatchObject({ applied: false, why: "removed" });
    expect(applyResult(removed, job(5, 20 * S), 20 * S).applied).toBe(true);
  });

  it("ignores a removal event older than the generation the host was added back in", () => {
    const back = applyResult(undefined, job(6, 0), 0).state!;
    expect(applyRemoval(back, 10 * S, 5)).toBe(back);
    expect(applyRemoval(back, 10 * S, 7).removed).toBe(true);
  });

  it("keeps the RESOLVED still owed when a removed host comes back", () => {
    const t = new Timeline();
    t.result("h", { cpu: "critical" });
    t.result("h", { cpu: "critical" });
    t.advance(30 * S);
    t.take();
    t.hosts.set("h", applyRemoval(t.hosts.get("h")!, t.now, 2));
    t.now += 1;
    const back = applyResult(t.hosts.get("h"), { ...job(3, t.now), result: { ...job(3, t.now).result, host: { name: "h", address: "a", port: 22 }, checks: [] } }, t.now);
    t.hosts.set("h", back.state!);
    t.advance(600 * S);
    expect(summary(t.take())).toEqual([{ firing: [], resolved: ["h/cpu"], reminder: false }]);
  });
});

describe("pipeline-level alerts", () => {
  const stalled = (t: Timeline) => {
    t.pipeline = raisePipelineAlert(t.pipeline, { name: STALLED_ALERT, severity: "critical", message: "monitoring stalled", since: t.now }, t.now);
  };

  it("fire and resolve exactly once, never go stale, and leave a host named fleetwatch alone", () => {
    const t = new Timeline();
    t.result("fleetwatch", { cpu: "critical" });
    t.result("fleetwatch", { cpu: "critical" });
    stalled(t);
    t.advance(30 * S);
    expect(t.take().flatMap((m) => m.firing).map((a) => `${a.pipeline ? "pipeline" : "host"}:${a.host}/${a.check}`).sort()).toEqual(["host:fleetwatch/cpu", "pipeline:fleetwatch/stalled"]);
    for (let i = 0; i < 3; i++) {
      stalled(t);
      t.advance(3600 * S);
    }
    expect(summary(t.take()).every((m) => m.reminder)).toBe(true); // reminders only, no stale alert of its own
    t.pipeline = clearPipelineAlert(t.pipeline, STALLED_ALERT, t.now);
    t.pipeline = clearPipelineAlert(t.pipeline, STALLED_ALERT, t.now);
    t.advance(600 * S);
    expect(t.take().flatMap((m) => m.resolved.map((a) => a.check))).toEqual(["stalled"]);
    t.advance(3600 * S);
    expect(t.take().flatMap((m) => m.resolved)).toEqual([]);
    expect(t.pipeline.alerts).toEqual({});
    expect(t.hosts.get("fleetwatch")!.alerts.cpu!.status).toBe("firing");
  });

  it("are muted only by a silence of their own name, never by a host pattern", () => {
    const t = new Timeline();
    t.silences = [{ id: "all", scope: "host", host: "*", check: "*", startsAt: 0, endsAt: 1e12, author: "ops", reason: "r", createdAt: 0 }];
    stalled(t);
    t.advance(30 * S);
    expect(t.take().flatMap((m) => m.firing.map((a) => a.check))).toEqual(["stalled"]);
    const u = new Timeline();
    u.silences = [{ id: "p", scope: "pipeline", host: "", check: "stalled", startsAt: 0, endsAt: 1e12, author: "ops", reason: "r", createdAt: 0 }];
    stalled(u);
    u.advance(30 * S);
    expect(u.take()).toEqual([]);
  });
});

describe("configured robots", () => {
  it("drops a removed robot's markers, so its resolved alerts are forgotten", () => {
    const two: NotifySettings = { ...settings, robots: [settings.robots[0]!, { ...settings.robots[0]!, name: "old" }] };
    const t = new Timeline();
    t.result("web-1", { cpu: "critical" });
    t.result("web-1", { cpu: "critical" });
    t.advance(30 * S, two);
    expect(t.take()).toHaveLength(2);
    t.result("web-1", { cpu: "ok" });
    t.advance(600 * S); // "old" is no longer configured
    expect(summary(t.take())).toEqual([{ firing: [], resolved: ["web-1/cpu"], reminder: false }]);
    expect(t.hosts.get("web-1")!.alerts).toEqual({});
  });
});

describe("decided and delivered", () => {
  it("decides the same message id again when the decision was not recorded (a crash between queueing and recording)", () => {
    const t = new Timeline();
    t.result("web-1", { cpu: "critical" });
    t.result("web-1", { cpu: "critical" });
    t.now += 30 * S;
    const input = () => ({ hosts: [...t.hosts.values()], timers: t.timers, silences: [], settings, now: t.now });
    const first = planDispatch(input());
    t.now += 5 * S;
    const again = planDispatch(input());
    expect(again.messages.map((m) => m.id)).toEqual(first.messages.map((m) => m.id));
    t.tick();
    const fired = t.take();
    t.advance(4 * 3600 * S);
    const reminders = t.take();
    expect(reminders.map((m) => m.reminder)).toEqual([true]);
    expect(reminders[0]!.id).not.toBe(fired[0]!.id);
  });

  it("moves an alert's epoch when it fires, escalates or resolves, not otherwise", () => {
    const t = new Timeline();
    const epochs: number[] = [];
    const step = (state: CheckItem["state"]) => {
      t.now += S;
      t.result("db", { disk: state });
      epochs.push(t.hosts.get("db")!.alerts.disk?.epoch ?? -1);
    };
    for (const state of ["warning", "warning", "critical", "warning", "ok"] as const) step(state);
    const [pending, fired, escalated, deescalated, resolved] = epochs;
    expect(pending).toBe(0);
    expect(fired).toBeGreaterThan(pending!);
    expect(escalated).toBeGreaterThan(fired!);
    expect(deescalated).toBe(escalated);
    expect(resolved).toBeGreaterThan(escalated!);
    t.advance(600 * S); // the RESOLVED is said, the alert forgotten; when it fires again its epoch is still new
    step("critical");
    step("critical");
    expect(epochs.at(-1)).toBeGreaterThan(resolved!);
  });

  it("sends no RESOLVED for a FIRING DingTalk refused, and re-sends what still fires when parked messages are retried", () => {
    const t = new Timeline();
    t.failing.add("ops");
    t.result("a", { cpu: "critical" });
    t.result("a", { cpu: "critical" });
    t.result("b", { cpu: "critical" });
    t.result("b", { cpu: "critical" });
    t.advance(30 * S);
    expect(t.take()).toHaveLength(1); // refused: parked
    t.result("a", { cpu: "ok" });
    t.advance(600 * S);
    expect(t.take()).toEqual([]); // the chat never saw a FIRING for a: nothing to resolve; b waits for the retry
    expect(t.hosts.get("a")!.alerts).toEqual({});
    t.failing.clear(); // the robot was fixed on DingTalk's side
    t.unpark();
    t.advance(30 * S);
    expect(summary(t.take())).toEqual([{ firing: ["b/cpu=critical"], resolved: [], reminder: false }]);
    t.result("b", { cpu: "ok" });
    t.advance(600 * S);
    expect(summary(t.take())).toEqual([{ firing: [], resolved: ["b/cpu"], reminder: false }]);
    expect(t.hosts.get("b")!.alerts).toEqual({});
  });
});

describe("a fault of the monitor's own file", () => {
  const fault = { kind: "private_key" as const, monitor: "worker-3", file: "/etc/fleetwatch/id_ed25519", cause: "EACCES", reason: "permission denied" };

  it("raises one pipeline alert naming the worker and the file, holds the hosts' alerts, and resolves once when no longer reported", () => {
    const t = new Timeline();
    t.result("web-1", { cpu: "critical" });
    t.result("web-1", { cpu: "critical" });
    t.advance(30 * S);
    t.take();
    for (let i = 0; i < 3; i++) {
      for (const host of ["web-1", "web-2"]) {
        const job = { kind: "result" as const, slot: 0, slotStart: t.now + i, intervalMs: 60 * S, for: 2, result: { version: 1 as const, host: { name: host, address: "a", port: 22 }, outcome: "auth_failed" as const, reason: "cannot read key", state: "unknown" as const, metrics: null, checks: [{ name: "ssh", state: "unknown" as const, message: "cannot read key" }], startedAt: 0, finishedAt: 0, durationMs: 1, timings: { connectMs: 0, handshakeMs: 0, commandMs: 0 }, retried: false } };
        const applied = applyResult(t.hosts.get(host), job, t.now, { freeze: true });
        if (applied.state) t.hosts.set(host, applied.state);
        t.pipeline = raisePipelineAlert(t.pipeline, monitorFaultCondition(fault, 60 * S, t.now), t.now);
      }
      t.advance(60 * S);
    }
    const said = t.take();
    expect(said.flatMap((m) => m.firing.map((a) => `${a.pipeline ? "pipeline:" : ""}${a.host}/${a.check}`))).toEqual(["pipeline:fleetwatch/fault:worker-3:/etc/fleetwatch/id_ed25519"]);
    expect(said[0]!.firing[0]!.message).toContain("worker-3 cannot use its SSH key /etc/fleetwatch/id_ed25519 (EACCES)");
    expect(t.hosts.get("web-1")!.alerts.cpu!.status).toBe("firing"); // held, not resolved
    expect(t.hosts.get("web-1")!.alerts.ssh).toBeUndefined(); // and no alert of its own
    expect(t.hosts.get("web-2")!.alerts).toEqual({});
    t.advance(200 * S);
    t.pipeline = expirePipelineAlerts(t.pipeline, t.now);
    t.pipeline = expirePipelineAlerts(t.pipeline, t.now + 1);
    t.advance(600 * S);
    expect(t.take().flatMap((m) => m.resolved.map((a) => a.check))).toEqual(["fault:worker-3:/etc/fleetwatch/id_ed25519"]);
    expect(t.pipeline.alerts).toEqual({});
  });
});
