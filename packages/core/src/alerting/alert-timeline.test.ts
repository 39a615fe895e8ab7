import { describe, expect, it } from "vitest";
import type { CheckItem } from "../evaluate/check-item.js";
import type { NotifySettings } from "../notify/notify-settings.js";
import type { ResultJob } from "../pipeline/job-schemas.js";
import type { Outcome } from "../result/outcome.js";
import type { HostAlerts } from "./alert-state.js";
import { applyRemoval, applyResult, applyStaleness } from "./apply-result.js";
import type { DispatchPlan, GroupTimer } from "./plan-dispatch.js";
import { applyNotified, planDispatch } from "./plan-dispatch.js";
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
  private slot = new Map<string, number>();

  result(host: string, checks: Record<string, CheckItem["state"]>, outcome: Outcome = "ok", group?: string): void {
    const slot = (this.slot.get(host) ?? 0) + 1;
    this.slot.set(host, slot);
    const items: CheckItem[] = Object.entries(checks).map(([name, state]) => ({ name, state, message: `${name} ${state}` }));
    const job: Extract<ResultJob, { kind: "result" }> = {
      kind: "result",
      slot,
      slotStart: this.now,
      intervalMs: 60 * S,
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
    this.hosts.set(host, state);
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
    const plan = planDispatch({ hosts: [...this.hosts.values()], timers: this.timers, silences: this.silences, settings: s, now: this.now });
    for (const [key, timer] of Object.entries(plan.timers)) {
      if (timer) this.timers[key] = timer;
      else delete this.timers[key];
    }
    for (const [name, host] of this.hosts) this.hosts.set(name, applyNotified(host, plan.notified));
    this.sent.push(...plan.messages);
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
    t.silences = [{ id: "s1", host: "web-*", check: "disk*", startsAt: 0, endsAt: 600 * S, author: "ops", reason: "migration", createdAt: 0 }];
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
