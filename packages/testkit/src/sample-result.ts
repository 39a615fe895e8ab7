import type { CheckResult } from "@fleetwatch/core";

export interface SampleResultOptions {
  host?: string;
  group?: string;
  at?: number;
  state?: CheckResult["state"];
  outcome?: CheckResult["outcome"];
  cpu?: number;
  memory?: number;
  disk?: number;
  load?: number;
  missing?: string[];
  checks?: CheckResult["checks"];
  reason?: string;
}

/** A plausible check result with the given figures, for seeding Redis in tests and benchmarks. */
export function sampleResult(o: SampleResultOptions = {}): CheckResult {
  const at = o.at ?? Date.now();
  const name = o.host ?? "web-1";
  const outcome = o.outcome ?? "ok";
  const processes: Record<string, "present" | "missing"> = { sshd: "present" };
  for (const p of o.missing ?? []) processes[p] = "missing";
  return {
    version: 1,
    host: { name, address: "127.0.0.1", port: 22, ...(o.group ? { group: o.group } : {}) },
    outcome,
    ...(o.reason ? { reason: o.reason } : outcome === "ok" ? {} : { reason: `${outcome}: connection refused by 127.0.0.1:22` }),
    state: o.state ?? (outcome === "ok" ? "ok" : "critical"),
    metrics:
      outcome !== "ok"
        ? null
        : {
            hostname: name,
            bootId: "boot",
            uptimeSeconds: 86_400,
            cores: 4,
            load: { one: o.load ?? 0.5, five: 0.5, fifteen: 0.5 },
            cpu: { usedPercent: o.cpu ?? 12, windowMs: 60_000, method: "delta", counters: { busy: 1, total: 2 } },
            memory: { totalBytes: 8e9, availableBytes: 4e9, usedBytes: 4e9, usedPercent: o.memory ?? 50, availableSource: "MemAvailable" },
            swap: { totalBytes: 0, usedBytes: 0, usedPercent: 0 },
            mounts: [{ path: "/", mountPoint: "/", filesystem: "/dev/vda1", sizeBytes: 1e11, usedBytes: 5e10, availableBytes: 5e10, usedPercent: o.disk ?? 40, inodes: null }],
            missingMounts: [],
            processesVisible: true,
            processes,
          },
    checks: o.checks ?? [],
    startedAt: at - 200,
    finishedAt: at,
    durationMs: 200,
    timings: { connectMs: 1, handshakeMs: 50, commandMs: 100 },
    retried: false,
  };
}
