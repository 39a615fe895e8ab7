import { describe, expect, it } from "vitest";
import type { CheckResult } from "../result/check-result.js";
import { decodeHistoryEntry, encodeHistoryEntry, historyEntryOf } from "./history-entry.js";
import { alertTransitions, receiptEvents } from "./timeline-events.js";
import { decodeTimelineEvent, encodeTimelineEvent } from "./alert-timeline.js";
import { TIMELINE_MESSAGE_CHARS } from "./history-limits.js";
import type { HostAlerts } from "../alerting/alert-state.js";

function sampleResult(at: number, overrides: Partial<CheckResult> = {}): CheckResult {
  return {
    version: 1,
    host: { name: "web-1", address: "10.0.0.1", port: 22, group: "web" },
    outcome: "ok",
    state: "warning",
    metrics: {
      hostname: "web-1",
      bootId: "b",
      uptimeSeconds: 100,
      cores: 4,
      load: { one: 1.234, five: 1, fifteen: 1 },
      cpu: { usedPercent: 42.26, windowMs: 1000, method: "sample", counters: { busy: 1, total: 2 } },
      memory: { totalBytes: 100, availableBytes: 40, usedBytes: 60, usedPercent: 60.04, availableSource: "MemAvailable" },
      swap: { totalBytes: 0, usedBytes: 0, usedPercent: 0 },
      mounts: [
        { path: "/", mountPoint: "/", filesystem: "/dev/sda1", sizeBytes: 1, usedBytes: 1, availableBytes: 1, usedPercent: 71.5, inodes: null },
        { path: "/var", mountPoint: "/var", filesystem: "/dev/sda2", sizeBytes: 1, usedBytes: 1, availableBytes: 1, usedPercent: 93.25, inodes: null },
      ],
      missingMounts: [],
      processesVisible: true,
      processes: { nginx: "present", "php-fpm8.2": "missing", "kube.let": "missing" },
    },
    checks: [],
    startedAt: at - 500,
    finishedAt: at,
    durationMs: 500,
    timings: { connectMs: 1, handshakeMs: 1, commandMs: 1 },
    retried: false,
    ...overrides,
  };
}

describe("history entries", () => {
  it("keeps the figures a chart needs in a few dozen bytes, and reads them back", () => {
    const at = Date.UTC(2026, 10, 29, 12, 0, 7);
    const text = encodeHistoryEntry(historyEntryOf(sampleResult(at)));
    expect(text.length).toBeLessThan(60);
    expect(decodeHistoryEntry(text)).toEqual({
      at,
      state: "warning",
      outcome: "ok",
      cpuPercent: 42.3,
      memoryPercent: 60,
      worstDiskPercent: 93.3,
      load: 1.23,
      cores: 4,
      missingProcesses: ["kube.let", "php-fpm8.2"],
    });
  });

  it("stores a failed check with its outcome and no figures", () => {
    const text = encodeHistoryEntry(historyEntryOf(sampleResult(5_000, { outcome: "unreachable", state: "critical", metrics: null, reason: "refused" })));
    expect(decodeHistoryEntry(text)).toEqual({ at: 5_000, state: "critical", outcome: "unreachable", missingProcesses: [] });
  });

  it("skips what it cannot read instead of misreading it", () => {
    for (const bad of ["", "2,abc,o,0,,,,,,", "1,zz", "1,abc,x,0,,,,,,", "1,abc,o,99,,,,,,", "{json}"]) expect(decodeHistoryEntry(bad)).toBeUndefined();
  });
});

describe("timeline events", () => {
  const host = (alerts: HostAlerts["alerts"]): HostAlerts => ({ format: 2, host: "web-1", lastSlotStart: 0, lastResultAt: 0, intervalMs: 60_000, for: 2, alerts, version: 1 });
  const a = (status: "pending" | "firing" | "resolved", severity: "warning" | "critical" = "warning") => ({ check: "cpu", status, severity, count: 1, since: 0, message: `cpu ${status}`, epoch: 1, decided: {}, delivered: {} });

  it("names fired, escalated and resolved transitions, and nothing for a pending or unchanged alert", () => {
    expect(alertTransitions(undefined, host({ cpu: a("pending") }), 1)).toEqual([]);
    expect(alertTransitions(host({ cpu: a("pending") }), host({ cpu: a("firing") }), 2)).toMatchObject([{ kind: "fired", check: "cpu", severity: "warning", at: 2 }]);
    expect(alertTransitions(host({ cpu: a("firing") }), host({ cpu: a("firing") }), 3)).toEqual([]);
    expect(alertTransitions(host({ cpu: a("firing") }), host({ cpu: a("firing", "critical") }), 4)).toMatchObject([{ kind: "escalated", severity: "critical" }]);
    expect(alertTransitions(host({ cpu: a("firing", "critical") }), host({ cpu: a("resolved") }), 5)).toMatchObject([{ kind: "resolved" }]);
  });

  it("turns a delivery receipt into notified or parked events, leaving out pipeline alerts", () => {
    const reports = [
      { host: "a", check: "cpu", epoch: 2, status: "firing" as const, severity: "critical" as const },
      { pipeline: true, host: "", check: "stalled", epoch: 1, status: "firing" as const, severity: "critical" as const },
    ];
    expect(receiptEvents({ robot: "ops", messageId: "m", outcome: "delivered", reports, at: 9 })).toEqual([{ at: 9, host: "a", check: "cpu", kind: "notified", severity: "critical", robot: "ops", message: "firing" }]);
    expect(receiptEvents({ robot: "ops", messageId: "m", outcome: "parked", reports, at: 9 }).map((e) => e.kind)).toEqual(["parked"]);
  });

  it("cuts long messages and skips unreadable elements", () => {
    const text = encodeTimelineEvent({ at: 1, host: "h", check: "c", kind: "parked", robot: "ops", message: "x".repeat(1000) });
    expect(decodeTimelineEvent(text)!.message).toHaveLength(TIMELINE_MESSAGE_CHARS);
    expect(decodeTimelineEvent("not json")).toBeUndefined();
    expect(decodeTimelineEvent('{"t":1,"h":"h","c":"c","k":"exploded"}')).toBeUndefined();
  });
});
