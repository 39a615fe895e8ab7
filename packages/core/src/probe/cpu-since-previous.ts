import type { ProbeMetrics } from "./probe-metrics.js";

/**
 * The CPU counters a check leaves for the next one: where the pipeline measures CPU from.
 * Kept with the host's latest result in Redis (a few dozen bytes), so they survive a worker
 * restart or the host moving to another worker.
 */
export interface CpuBaseline {
  bootId: string;
  /** Cumulative busy and total jiffies, all cores. */
  busy: number;
  total: number;
  /** The host's uptime when they were read, in seconds. */
  uptimeSeconds: number;
}

const FORMAT = "c1";
const BOOT_ID = /^[0-9A-Za-z-]{1,64}$/;
const NUMBER = /^\d{1,18}(?:\.\d{1,9})?$/;

/** The baseline a result leaves, as stored; undefined when it has no counters to measure from. */
export function encodeCpuBaseline(metrics: ProbeMetrics | null): string | undefined {
  const uptime = metrics?.cpu.counters.uptimeSeconds;
  if (!metrics || uptime === undefined || !BOOT_ID.test(metrics.bootId)) return undefined;
  return [FORMAT, metrics.bootId, metrics.cpu.counters.busy, metrics.cpu.counters.total, uptime].join(" ");
}

/** A stored baseline; undefined when missing or unreadable (the check then measures no CPU). */
export function decodeCpuBaseline(text: string | null | undefined): CpuBaseline | undefined {
  const [format, bootId, busy, total, uptime, ...rest] = (text ?? "").split(" ");
  if (format !== FORMAT || rest.length > 0 || !bootId || !BOOT_ID.test(bootId)) return undefined;
  if (![busy, total, uptime].every((n) => n !== undefined && NUMBER.test(n))) return undefined;
  return { bootId, busy: Number(busy), total: Number(total), uptimeSeconds: Number(uptime) };
}

const percent = (part: number, whole: number) => Math.round(Math.min(100, Math.max(0, (part / whole) * 100)) * 10) / 10;

/**
 * The pipeline's CPU figure: the busy share since the previous check's counters on the same
 * boot, i.e. the interval's average. Without a previous reading, after a reboot (another
 * `boot_id`), or when the counters went backwards, CPU is unmeasured for this check (never a
 * made-up 0) and says why. Metrics whose CPU was already measured (a sample) are returned as
 * they are.
 */
export function cpuSincePrevious(metrics: ProbeMetrics, previous: CpuBaseline | undefined): ProbeMetrics {
  const { cpu } = metrics;
  if (cpu.method === "sample") return metrics;
  const now = { ...cpu.counters, uptimeSeconds: cpu.counters.uptimeSeconds ?? metrics.uptimeSeconds };
  const unmeasured = (why: string): ProbeMetrics => ({ ...metrics, cpu: { usedPercent: null, windowMs: 0, method: "none", unmeasured: why, counters: now } });
  if (!previous) return unmeasured("first check of this host: CPU is measured from the next check on");
  if (previous.bootId !== metrics.bootId) return unmeasured("the host rebooted since the previous check (boot_id changed): CPU is measured from the next check on");
  const busy = now.busy - previous.busy;
  const total = now.total - previous.total;
  const windowMs = Math.round((now.uptimeSeconds - previous.uptimeSeconds) * 1000);
  if (busy < 0 || total <= 0 || windowMs <= 0) return unmeasured("the CPU counters did not advance since the previous check: CPU is measured from the next check on");
  return { ...metrics, cpu: { usedPercent: percent(busy, total), windowMs, method: "delta", counters: now } };
}
