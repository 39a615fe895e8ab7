import type { Level } from "../config/thresholds-schema.js";
import type { ResolvedThresholds } from "../config/resolved-host.js";
import type { ProbeMetrics } from "../probe/probe-metrics.js";
import type { CheckItem } from "./check-item.js";
import type { Severity } from "./severity.js";

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(1));

/** Compares a value with its levels: at or above critical is critical, then warning. */
export function judge(value: number, level: Level): Severity {
  if (level.critical !== undefined && value >= level.critical) return "critical";
  if (level.warning !== undefined && value >= level.warning) return "warning";
  return "ok";
}

function levelCheck(name: string, label: string, value: number, unit: CheckItem["unit"], level: Level): CheckItem {
  const state = judge(value, level);
  const bound = state === "critical" ? level.critical : state === "warning" ? level.warning : undefined;
  const shown = unit === "%" ? `${fmt(value)}%` : `${value.toFixed(2)} per core`;
  const message = bound === undefined ? `${label} ${shown}` : `${label} ${shown} ≥ ${fmt(bound)}${unit === "%" ? "%" : ""}`;
  return { name, state, value: Math.round(value * 100) / 100, unit, threshold: level, message };
}

/** Metrics + thresholds → one judged check per resource, mount and required process. */
export function evaluateMetrics(metrics: ProbeMetrics, thresholds: ResolvedThresholds): CheckItem[] {
  const checks: CheckItem[] = [
    levelCheck("cpu", "cpu", metrics.cpu.usedPercent, "%", thresholds.cpu),
    levelCheck("memory", "memory", metrics.memory.usedPercent, "%", thresholds.memory),
  ];
  if (metrics.swap.totalBytes > 0) checks.push(levelCheck("swap", "swap", metrics.swap.usedPercent, "%", thresholds.swap));
  checks.push(levelCheck("load", "load", metrics.load.one / Math.max(1, metrics.cores), "load/core", thresholds.load));
  for (const mount of metrics.mounts) {
    const own = thresholds.mounts[mount.path];
    checks.push(levelCheck(`disk:${mount.path}`, `disk ${mount.path}`, mount.usedPercent, "%", own?.disk ?? thresholds.disk));
    if (mount.inodes) {
      checks.push(levelCheck(`inodes:${mount.path}`, `inodes ${mount.path}`, mount.inodes.usedPercent, "%", own?.inodes ?? thresholds.inodes));
    }
  }
  for (const path of metrics.missingMounts) {
    checks.push({ name: `disk:${path}`, state: "unknown", message: `disk ${path}: not found on the host (df reported nothing)` });
  }
  for (const [name, presence] of Object.entries(metrics.processes)) {
    const state: Severity = presence === "present" ? "ok" : presence === "missing" ? "critical" : "unknown";
    const message =
      presence === "present"
        ? `process ${name} running`
        : presence === "missing"
          ? `process ${name} not running`
          : `process ${name}: cannot tell (/proc hides other users' processes)`;
    checks.push({ name: `process:${name}`, state, message });
  }
  return checks;
}
