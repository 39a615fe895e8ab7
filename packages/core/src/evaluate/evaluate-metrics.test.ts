import { describe, expect, it } from "vitest";
import { BUILTIN_DEFAULTS } from "../config/builtin-defaults.js";
import type { ResolvedThresholds } from "../config/resolved-host.js";
import type { ProbeMetrics } from "../probe/probe-metrics.js";
import { evaluateMetrics, judge } from "./evaluate-metrics.js";
import { hostState } from "./host-state.js";
import { NAGIOS_EXIT, worstSeverity } from "./severity.js";

const thresholds: ResolvedThresholds = { ...BUILTIN_DEFAULTS.thresholds, mounts: { "/var": { disk: { warning: 70, critical: 80 } } } };

const metrics = (over: Partial<ProbeMetrics> = {}): ProbeMetrics => ({
  hostname: "h",
  bootId: "b",
  uptimeSeconds: 100,
  cores: 4,
  load: { one: 2, five: 1, fifteen: 1 },
  cpu: { usedPercent: 10, windowMs: 500, method: "sample", counters: { busy: 1, total: 2 } },
  memory: { totalBytes: 100, availableBytes: 50, usedBytes: 50, usedPercent: 50, availableSource: "MemAvailable" },
  swap: { totalBytes: 0, usedBytes: 0, usedPercent: 0 },
  mounts: [
    { path: "/", mountPoint: "/", filesystem: "/dev/sda1", sizeBytes: 1, usedBytes: 1, availableBytes: 1, usedPercent: 50, inodes: { total: 10, used: 1, free: 9, usedPercent: 10 } },
    { path: "/var", mountPoint: "/var", filesystem: "/dev/sda2", sizeBytes: 1, usedBytes: 1, availableBytes: 1, usedPercent: 75, inodes: null },
  ],
  missingMounts: [],
  processesVisible: true,
  processes: { sshd: "present" },
  ...over,
});

describe("evaluateMetrics", () => {
  it("judges at or above a level, critical first", () => {
    expect(judge(85, { critical: 85 })).toBe("critical");
    expect(judge(84.9, { critical: 85 })).toBe("ok");
    expect(judge(60, { warning: 50, critical: 80 })).toBe("warning");
  });

  it("gives one check per resource, mount and process, with per-mount thresholds", () => {
    const checks = evaluateMetrics(metrics(), thresholds);
    expect(checks.map((c) => `${c.name}=${c.state}`)).toEqual([
      "cpu=ok",
      "memory=ok",
      "load=ok",
      "disk:/=ok",
      "inodes:/=ok",
      "disk:/var=warning",
      "process:sshd=ok",
    ]);
    expect(checks.find((c) => c.name === "disk:/var")!.message).toBe("disk /var 75% ≥ 70%");
  });

  it("judges load per core and watches swap only when there is some", () => {
    const checks = evaluateMetrics(metrics({ load: { one: 13, five: 1, fifteen: 1 }, swap: { totalBytes: 10, usedBytes: 9, usedPercent: 90 } }), thresholds);
    expect(checks.find((c) => c.name === "load")).toMatchObject({ state: "critical", value: 3.25, unit: "load/core" });
    expect(checks.find((c) => c.name === "swap")).toMatchObject({ state: "critical" });
  });

  it("makes a missing process critical, an invisible one unknown, a missing mount unknown", () => {
    const checks = evaluateMetrics(metrics({ processes: { nginx: "missing", cron: "unknown" }, missingMounts: ["/data"] }), thresholds);
    expect(checks.find((c) => c.name === "process:nginx")!.state).toBe("critical");
    expect(checks.find((c) => c.name === "process:cron")!.state).toBe("unknown");
    expect(checks.find((c) => c.name === "disk:/data")!.state).toBe("unknown");
  });
});

describe("host state", () => {
  it("orders critical > warning > unknown > ok", () => {
    expect(worstSeverity(["ok", "unknown", "warning"])).toBe("warning");
    expect(worstSeverity(["unknown", "ok"])).toBe("unknown");
    expect(worstSeverity([])).toBe("ok");
  });

  it("maps failed stages: probe_failed is unknown, every other failure critical", () => {
    expect(hostState("probe_failed", [])).toBe("unknown");
    for (const outcome of ["unreachable", "ssh_timeout", "auth_failed", "hostkey_unknown", "hostkey_mismatch", "probe_timeout"] as const) {
      expect(hostState(outcome, [])).toBe("critical");
    }
  });

  it("exits like a Nagios plugin", () => {
    expect(NAGIOS_EXIT).toEqual({ ok: 0, warning: 1, critical: 2, unknown: 3 });
  });
});
