import { describe, expect, it } from "vitest";
import type { AlertView, PlannedMessage } from "../alerting/plan-dispatch.js";
import type { NotifySettings, RobotSettings } from "./notify-settings.js";
import { renderMessage } from "./render-message.js";
import { DINGTALK_MAX_BYTES, utf8Bytes } from "./split-markdown.js";

const robot: RobotSettings = { name: "ops", webhookRef: "${W}", atMobiles: ["13800000000"], atAll: false, mentionOn: "critical", minState: "warning" };
const settings = (locale: "zh-CN" | "en"): NotifySettings => ({
  groupWaitMs: 0, groupIntervalMs: 0, repeatIntervalMs: 0, sendResolved: true, locale, timezone: "Asia/Shanghai", staleAfter: 3, robots: [robot],
  dashboardUrl: "https://fleet.example.com",
});
const alert = (host: string, check: string, severity: "warning" | "critical", message = `${check} bad`): AlertView => ({
  host, check, severity, message, since: 0, firingSince: 0, address: "10.0.0.1",
});
const planned = (firing: AlertView[], resolved: AlertView[] = []): PlannedMessage => ({ id: "m", reports: [], robot: "ops", groupKeys: ["ops/-"], firing, resolved, reminder: false });
const NOW = Date.UTC(2026, 10, 25, 15, 0, 0);

describe("renderMessage", () => {
  it("writes a headline, hosts critical first with their checks, the local time and a status link", () => {
    const out = renderMessage(planned([alert("web-1", "disk:/var", "critical", "disk /var 96% ≥ 95%"), alert("web-2", "cpu", "warning")], [alert("db-1", "memory", "warning")]), robot, settings("en"), NOW);
    expect(out.title).toBe("[FIRING] 1 critical, 1 warning, 1 resolved (3 hosts)");
    const text = out.parts[0]!;
    expect(text.indexOf("web-1")).toBeLessThan(text.indexOf("web-2"));
    expect(text).toContain("disk /var 96% ≥ 95%");
    expect(text).toContain("2026-11-25 23:00:00 (Asia/Shanghai)");
    expect(text).toContain("[Status page](https://fleet.example.com)");
    expect(text).toContain("RESOLVED");
    expect(text).not.toContain("|");
  });

  it("links each host to its dashboard page, IPv6 names encoded", () => {
    const text = renderMessage(planned([alert("2001:db8::7", "cpu", "critical"), alert("web-(1)", "cpu", "warning")]), robot, settings("en"), NOW).parts[0]!;
    expect(text).toContain("(https://fleet.example.com/hosts/2001%3Adb8%3A%3A7)");
    expect(text).toContain("(https://fleet.example.com/hosts/web-%281%29)");
  });

  it("describes levels from values and thresholds, in the message's language", () => {
    const disk = { ...alert("db-1", "disk:/var", "critical"), value: 96.5, unit: "%", threshold: { warning: 85, critical: 95 } };
    expect(renderMessage(planned([disk]), robot, settings("zh-CN"), NOW).parts[0]).toContain("严重 · 磁盘 /var: 96.5% ≥ 95%");
    const proc = alert("db-1", "process:mysqld", "critical");
    expect(renderMessage(planned([proc]), robot, settings("zh-CN"), NOW).parts[0]).toContain("进程 mysqld: 未运行");
  });

  it("shows pipeline alerts under their own heading, apart from a host called fleetwatch", () => {
    const stalled: AlertView = { ...alert("fleetwatch", "stalled", "critical"), pipeline: true, since: NOW - 180_000 };
    const text = renderMessage({ ...planned([stalled, alert("fleetwatch", "cpu", "critical")]), groupKeys: ["ops/@pipeline", "ops/-"] }, robot, settings("zh-CN"), NOW).parts[0]!;
    expect(text).toContain("2 严重（2 台主机）");
    expect(text).toContain("**fleetwatch · 监控管道**\n");
    expect(text).toContain("监控停滞: 监控停滞：已 3m 没有任何检查结果");
    expect(text).toContain("[**fleetwatch**](https://fleet.example.com/hosts/fleetwatch) (10.0.0.1)\n- 严重 · CPU");
  });

  it("speaks Chinese by default catalogue", () => {
    const out = renderMessage(planned([alert("web-1", "process:kubelet", "critical")]), robot, settings("zh-CN"), NOW);
    expect(out.title).toContain("告警");
    expect(out.parts[0]).toContain("进程 kubelet");
    expect(out.parts[0]).toContain("时间");
  });

  it("rings the configured mobiles for critical alerts, writing @mobile in the text", () => {
    const out = renderMessage(planned([{ ...alert("web-1", "cpu", "critical"), change: "new" }]), robot, settings("en"), NOW);
    expect(out.atMobiles).toEqual(["13800000000"]);
    expect(out.parts[0]).toContain("@13800000000");
    const quiet = renderMessage(planned([alert("web-1", "cpu", "warning")]), robot, settings("en"), NOW);
    expect(quiet.atMobiles).toEqual([]);
    expect(quiet.parts[0]).not.toContain("@13800000000");
  });

  it("escapes host strings so they cannot break markdown or ring anyone", () => {
    const out = renderMessage(planned([alert("evil_[host]", "probe", "warning", "name **[link](http://x)** @13800000000")]), robot, settings("en"), NOW);
    expect(out.parts[0]).toContain("evil＿［host］");
    expect(out.parts[0]).not.toContain("@13800000000");
    expect(out.parts[0]).toContain("∗∗［link］(http://x)∗∗");
    expect(out.parts[0]).not.toContain("\\");
  });

  it("keeps paths copyable where no markup can start: underscores inside words, a single tilde", () => {
    const out = renderMessage(planned([alert("web_1", "ssh", "critical", "is the key in ~monitor/.ssh/authorized_keys? _x_ ~~y~~")]), robot, settings("en"), NOW);
    expect(out.parts[0]).toContain("web_1");
    expect(out.parts[0]).toContain("~monitor/.ssh/authorized_keys?");
    expect(out.parts[0]).toContain("＿x＿ ∼∼y∼∼");
  });

  it("splits under 20,000 UTF-8 bytes and names every host in a storm while the names fit in 3 messages", () => {
    const hosts = Array.from({ length: 600 }, (_, i) => alert(`节点-${String(i).padStart(4, "0")}-${"很长的名字".repeat(4)}`, "reachability", "critical", "连接被拒绝"));
    const out = renderMessage(planned(hosts), robot, settings("zh-CN"), NOW);
    expect(out.parts.length).toBeGreaterThan(1);
    expect(out.parts.length).toBeLessThanOrEqual(3);
    for (const part of out.parts) expect(utf8Bytes(part)).toBeLessThan(DINGTALK_MAX_BYTES);
    const all = out.parts.join("\n");
    for (const h of hosts) expect(all).toContain(h.host);
    expect(out.parts[0]).toContain(`（1/${out.parts.length}）`);
  });

  it("summarises a storm too big for 3 messages: counts, as many names as fit, and a link to the rest", () => {
    const hosts = Array.from({ length: 3_000 }, (_, i) => alert(`节点-${String(i).padStart(4, "0")}-${"很长的名字".repeat(4)}`, "reachability", "critical", "连接被拒绝"));
    const out = renderMessage(planned(hosts), robot, settings("en"), NOW);
    expect(out.parts).toHaveLength(3);
    for (const part of out.parts) expect(utf8Bytes(part)).toBeLessThan(DINGTALK_MAX_BYTES);
    const all = out.parts.join("\n");
    expect(all).toContain("**reachability** (3000):");
    expect(all).toMatch(/…and \d+ more \[see all\]\(https:\/\/fleet\.example\.com\/\?state=firing&check=reachability\)/);
  });

  it("counts each host once, at its worst severity", () => {
    const both = Array.from({ length: 122 }, (_, i) => [alert(`h${i}`, "cpu", "critical"), alert(`h${i}`, "load", "warning")]).flat();
    const out = renderMessage(planned(both), robot, settings("en"), NOW);
    expect(out.title).toBe("[FIRING] 122 critical (122 hosts)");
    expect(out.parts[0]).toContain("> 122 hosts, summarised by check");
  });

  it("gives resolved and reminder messages the storm form too", () => {
    const resolved = Array.from({ length: 400 }, (_, i) => alert(`recovered-host-${String(i).padStart(3, "0")}`, "reachability", "critical"));
    const out = renderMessage(planned([], resolved), robot, settings("en"), NOW);
    expect(out.title).toBe("[RESOLVED] 400 resolved (400 hosts)");
    expect(out.parts).toHaveLength(1);
    expect(out.parts[0]).toContain("✅ **reachability** (400):");
    const reminder = renderMessage({ ...planned(resolved), reminder: true }, robot, settings("en"), NOW);
    expect(reminder.parts).toHaveLength(1);
    expect(reminder.parts[0]).toContain("**reachability** (400):");
  });
});

describe("mentions", () => {
  const fresh = (severity: "warning" | "critical", change?: "new" | "escalated") => ({ ...alert("web-1", "cpu", severity), ...(change ? { change } : {}) });

  it("ring once, in the first part of a split message only", () => {
    const many = Array.from({ length: 600 }, (_, i) => ({ ...alert(`节点-${String(i).padStart(4, "0")}-${"很长的名字".repeat(4)}`, "reachability", "critical"), change: "new" as const }));
    const out = renderMessage(planned(many), robot, settings("zh-CN"), NOW);
    expect(out.parts.length).toBeGreaterThan(1);
    expect(out.atMobiles).toEqual(["13800000000"]);
    expect(out.parts.map((p) => p.includes("@13800000000"))).toEqual(out.parts.map((_, i) => i === 0));
  });

  it("ring only for an alert newly firing or escalated at or above mentionOn", () => {
    expect(renderMessage(planned([fresh("critical", "new")]), robot, settings("en"), NOW).atMobiles).toEqual(["13800000000"]);
    expect(renderMessage(planned([fresh("critical", "escalated")]), robot, settings("en"), NOW).atMobiles).toEqual(["13800000000"]);
    expect(renderMessage(planned([fresh("critical")], [alert("web-2", "cpu", "critical")]), robot, settings("en"), NOW).atMobiles).toEqual([]);
    expect(renderMessage(planned([], [alert("web-2", "cpu", "critical")]), robot, settings("en"), NOW).atMobiles).toEqual([]);
    expect(renderMessage(planned([fresh("warning", "new")]), robot, settings("en"), NOW).atMobiles).toEqual([]);
  });
});

describe("stage reasons", () => {
  it("say in the team's language why a host could not be checked, the technical detail after it, unescaped", () => {
    const down = { ...alert("web-1", "reachability", "critical", "TCP connect to port 22: connection refused (ECONNREFUSED)"), outcome: "unreachable" as const };
    const zh = renderMessage(planned([down]), robot, settings("zh-CN"), NOW).parts[0]!;
    expect(zh).toContain("网络不可达: 无法连接（TCP 连接失败或超时） (TCP connect to port 22: connection refused (ECONNREFUSED))");
    expect(zh).not.toContain("\\");
    const en = renderMessage(planned([{ ...down, outcome: "auth_failed" as const, check: "ssh", message: "all keys refused" }]), robot, settings("en"), NOW).parts[0]!;
    expect(en).toContain("ssh: SSH login failed (all keys refused)");
  });
});
