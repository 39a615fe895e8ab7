import { describe, expect, it } from "vitest";
import type { CheckItem } from "../evaluate/check-item.js";
import type { ResultJob } from "../pipeline/job-schemas.js";
import type { ProbeMetrics } from "../probe/probe-metrics.js";
import type { HostAlerts } from "./alert-state.js";
import { applyResult } from "./apply-result.js";

const MIN = 60_000;
const cpu = (usedPercent: number | null): ProbeMetrics["cpu"] =>
  usedPercent === null
    ? { usedPercent: null, windowMs: 0, method: "none", unmeasured: "the host rebooted since the previous check", counters: { busy: 1, total: 2 } }
    : { usedPercent, windowMs: MIN, method: "delta", counters: { busy: 1, total: 2 } };

/** An ok result of slot `n` with these checks and this CPU figure. */
function result(n: number, checks: CheckItem[], cpuPercent: number | null): Extract<ResultJob, { kind: "result" }> {
  const metrics = {
    hostname: "web-1",
    bootId: "b",
    uptimeSeconds: 100,
    cores: 2,
    load: { one: 0, five: 0, fifteen: 0 },
    cpu: cpu(cpuPercent),
    memory: { totalBytes: 100, availableBytes: 50, usedBytes: 50, usedPercent: 50, availableSource: "MemAvailable" },
    swap: { totalBytes: 0, usedBytes: 0, usedPercent: 0 },
    mounts: [],
    missingMounts: [],
    processesVisible: true,
    processes: {},
  } satisfies ProbeMetrics;
  return {
    kind: "result",
    slot: n,
    slotStart: n * MIN,
    intervalMs: MIN,
    for: 2,
    result: {
      version: 2,
      host: { name: "web-1", address: "10.0.0.1", port: 22 },
      outcome: "ok",
      state: "ok",
      metrics,
      checks,
      startedAt: n * MIN,
      finishedAt: n * MIN + 1,
      durationMs: 1,
      timings: { connectMs: 0, handshakeMs: 0, commandMs: 0 },
      retried: false,
    },
  };
}

const item = (name: string, state: CheckItem["state"]): CheckItem => ({ name, state, message: `${name} ${state}` });

describe("applyResult with CPU the check did not measure", () => {
  it("keeps a firing cpu alert through a check after a reboot, and resolves it when CPU is measured again", () => {
    let state: HostAlerts | undefined;
    const apply = (n: number, checks: CheckItem[], cpuPercent: number | null) => {
      const applied = applyResult(state, result(n, checks, cpuPercent), n * MIN + 5);
      state = applied.state;
    };
    apply(1, [item("cpu", "critical"), item("memory", "ok")], 97);
    apply(2, [item("cpu", "critical"), item("memory", "ok")], 97);
    expect(state!.alerts.cpu!.status).toBe("firing");
    // the host rebooted: no cpu check in this result; the alert neither resolves nor moves
    apply(3, [item("memory", "ok")], null);
    expect(state!.alerts.cpu).toMatchObject({ status: "firing", count: 2 });
    apply(4, [item("cpu", "ok"), item("memory", "ok")], 5);
    expect(state!.alerts.cpu!.status).toBe("resolved");
  });

  it("does not start a cpu alert from a check that measured no CPU", () => {
    const applied = applyResult(undefined, result(1, [item("memory", "ok")], null), MIN);
    expect(applied.state!.alerts.cpu).toBeUndefined();
  });
});
