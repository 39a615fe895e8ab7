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

/** `note` says what the value was measured against, when that is not the obvious. */
function levelCheck(name: string, label: string, value: number, unit: CheckItem["unit"], level: Level, note?: string): CheckItem {
  const state = judge(value, level);
  const bound = state === "critical" ? level.critical : state === "warning" ? level.warning : undefined;
  const shown = unit === "%" ? `${fmt(value)}%` : `${value.toFixed(2)} per core`;
  const judged = bound === undefined ? `${label} ${shown}` : `${label} ${shown} ≥ ${fmt(bound)}${unit === "%" ? "%" : ""}`;
  const message = note ? `${judged} (${note})` : judged;
  return { name, state, value: Math.round(value * 100) / 100, unit, threshold: level, message };
}

/** Bytes in the largest binary unit that keeps a whole part: `512 MiB`, `1.5 GiB`. */
function formatBytes(bytes: number): string {
  const units = ["B", "KiB", "MiB", "GiB", "TiB"];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${fmt(Math.round(value * 10) / 10)} ${units[unit]}`;
}

function memoryNote(memory: ProbeMetrics["memory"]): string | undefined {
  if (!memory.cgroup) return undefined;
  return `of the container's ${formatBytes(memory.cgroup.limitBytes)} cgroup v${memory.cgroup.version} memory limit`;
}

/**
 * Metrics + thresholds → one judged check per resource, mount and required process. CPU that
 * this check did not measure (the pipeline's first check of a host) gives no cpu check: its
 * alert keeps its state (see `unjudgedChecks`).
 */
export function evaluateMetrics(metrics: ProbeMetrics, thresholds: ResolvedThresholds): CheckItem[] {
  const checks: CheckItem[] = [];
  if (metrics.cpu.usedPercent !== null) checks.push(levelCheck("cpu", "cpu", metrics.cpu.usedPercent, "%", thresholds.cpu));
  checks.push(levelCheck("memory", "memory", metrics.memory.usedPercent, "%", thresholds.memory, memoryNote(metrics.memory)));
  if (metrics.swap.totalBytes > 0) checks.push(levelCheck("swap", "swap", metrics.swap.usedPercent, "%", thresholds.swap));
  checks.push(levelCheck("load", "load", metrics.load.one / Math.max(1, metrics.cores), "load/core", thresholds.load));
  for (const mount of metrics.mounts) {
    const own = thresholds.mounts[mount.path];
    // A configured path that is not a mount point is measured on the filesystem that holds it.
    const on = mount.mountPoint === mount.path ? undefined : `on ${mount.mountPoint}`;
    checks.push(levelCheck(`disk:${mount.path}`, `disk ${mount.path}`, mount.usedPercent, "%", own?.disk ?? thresholds.disk, on));
    if (mount.inodes) {
      checks.push(levelCheck(`inodes:${mount.path}`, `inodes ${mount.path}`, mount.inodes.usedPercent, "%", own?.inodes ?? thresholds.inodes, on));
    }
  }
  for (const path of metrics.missingMounts) {
    checks.push({ name: `disk:${path}`, state: "unknown", message: `disk ${path}: not found on the host, or not measurable by the SSH user` });
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

/** Checks a successful result could not judge this time: their alerts keep their state. */
export function unjudgedChecks(metrics: ProbeMetrics | null): string[] {
  return metrics?.cpu.usedPercent === null ? ["cpu"] : [];
}
