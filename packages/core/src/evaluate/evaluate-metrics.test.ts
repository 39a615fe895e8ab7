import { describe, expect, it } from "vitest";
import { BUILTIN_DEFAULTS } from "../config/builtin-defaults.js";
import type { ResolvedThresholds } from "../config/resolved-host.js";
import type { ProbeMetrics } from "../probe/probe-metrics.js";
import { evaluateMetrics, judge, unjudgedChecks } from "./evaluate-metrics.js";
import { failureSeverity, hostState } from "./host-state.js";
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
  it("gives no cpu check, and says cpu is unjudged, when the check measured no CPU", () => {
    const unmeasured = metrics({ cpu: { usedPercent: null, windowMs: 0, method: "none", unmeasured: "first check", counters: { busy: 1, total: 2 } } });
    expect(evaluateMetrics(unmeasured, thresholds).map((c) => c.name)).not.toContain("cpu");
    expect(unjudgedChecks(unmeasured)).toEqual(["cpu"]);
    expect(unjudgedChecks(metrics())).toEqual([]);
    expect(unjudgedChecks(null)).toEqual([]);
  });


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

describe("what a judged check says it measured", () => {
  it("names the filesystem a configured path that is not a mount point was measured on", () => {
    const checks = evaluateMetrics(
      metrics({
        mounts: [{ path: "/var/log", mountPoint: "/", filesystem: "/dev/sda1", sizeBytes: 1, usedBytes: 1, availableBytes: 1, usedPercent: 50, inodes: { total: 10, used: 1, free: 9, usedPercent: 10 } }],
      }),
      thresholds,
    );
    expect(checks.find((c) => c.name === "disk:/var/log")!.message).toBe("disk /var/log 50% (on /)");
    expect(checks.find((c) => c.name === "inodes:/var/log")!.message).toBe("inodes /var/log 10% (on /)");
  });

  it("says memory was judged against a container's cgroup limit", () => {
    const memory = {
      totalBytes: 512 * 1024 ** 2,
      availableBytes: 32 * 1024 ** 2,
      usedBytes: 480 * 1024 ** 2,
      usedPercent: 93.8,
      availableSource: "cgroup" as const,
      cgroup: { version: 2 as const, limitBytes: 512 * 1024 ** 2, usageBytes: 500 * 1024 ** 2, inactiveFileBytes: 20 * 1024 ** 2 },
      host: { totalBytes: 8 * 1024 ** 3, availableBytes: 4 * 1024 ** 3, usedPercent: 50 },
    };
    const check = evaluateMetrics(metrics({ memory }), thresholds).find((c) => c.name === "memory")!;
    expect(check).toMatchObject({ state: "critical", value: 93.8 });
    expect(check.message).toBe("memory 93.8% ≥ 90% (of the container's 512 MiB cgroup v2 memory limit)");
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

  it("makes a check the monitor could not make (its key or known_hosts) unknown, not critical", () => {
    const fault = { kind: "known_hosts" as const, file: "/etc/fleetwatch/known_hosts", cause: "EACCES", reason: "cannot read" };
    expect(failureSeverity("hostkey_unknown", fault)).toBe("unknown");
    expect(failureSeverity("auth_failed", { ...fault, kind: "private_key" })).toBe("unknown");
    expect(failureSeverity("hostkey_unknown")).toBe("critical");
  });

  it("exits like a Nagios plugin", () => {
    expect(NAGIOS_EXIT).toEqual({ ok: 0, warning: 1, critical: 2, unknown: 3 });
  });
});
