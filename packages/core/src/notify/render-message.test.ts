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
const planned = (firing: AlertView[], resolved: AlertView[] = []): PlannedMessage => ({ robot: "ops", groupKeys: ["ops/-"], firing, resolved, reminder: false });
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
    expect(text).toContain("**fleetwatch** (10.0.0.1)\n- 严重 · CPU");
  });

  it("speaks Chinese by default catalogue", () => {
    const out = renderMessage(planned([alert("web-1", "process:kubelet", "critical")]), robot, settings("zh-CN"), NOW);
    expect(out.title).toContain("告警");
    expect(out.parts[0]).toContain("进程 kubelet");
    expect(out.parts[0]).toContain("时间");
  });

  it("rings the configured mobiles for critical alerts, writing @mobile in the text", () => {
    const out = renderMessage(planned([alert("web-1", "cpu", "critical")]), robot, settings("en"), NOW);
    expect(out.atMobiles).toEqual(["13800000000"]);
    expect(out.parts[0]).toContain("@13800000000");
    const quiet = renderMessage(planned([alert("web-1", "cpu", "warning")]), robot, settings("en"), NOW);
    expect(quiet.atMobiles).toEqual([]);
    expect(quiet.parts[0]).not.toContain("@13800000000");
  });

  it("escapes host strings so they cannot break markdown or ring anyone", () => {
    const out = renderMessage(planned([alert("evil_[host]", "probe", "warning", "name **[link](http://x)** @13800000000")]), robot, settings("en"), NOW);
    expect(out.parts[0]).toContain("evil\\_\\[host\\]");
    expect(out.parts[0]).not.toContain("@13800000000");
    expect(out.parts[0]).toContain("\\*\\*\\[link\\]");
  });

  it("splits under 20,000 UTF-8 bytes and names every host in a storm", () => {
    const hosts = Array.from({ length: 600 }, (_, i) => alert(`节点-${String(i).padStart(4, "0")}-${"很长的名字".repeat(4)}`, "reachability", "critical", "连接被拒绝"));
    const out = renderMessage(planned(hosts), robot, settings("zh-CN"), NOW);
    expect(out.parts.length).toBeGreaterThan(1);
    // ~45 KB of names: as few parts as the bytes need.
    expect(out.parts.length).toBeLessThanOrEqual(Math.ceil(utf8Bytes(out.parts.join("")) / 18_000) + 1);
    for (const part of out.parts) expect(utf8Bytes(part)).toBeLessThan(DINGTALK_MAX_BYTES);
    const all = out.parts.join("\n");
    for (const h of hosts) expect(all).toContain(h.host);
    expect(out.parts[0]).toContain(`（1/${out.parts.length}）`);
  });
});
