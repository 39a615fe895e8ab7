import type { Result } from "../util/result.js";
import { err, ok } from "../util/result.js";
import type { CgroupMemory, MountUsage, ProbeMetrics, ProcessState } from "./probe-metrics.js";
import type { ProbeCpuMode } from "./probe-script.js";
import { COMM_MAX, PROBE_BEGIN, PROBE_END } from "./probe-script.js";

export interface ParseOptions {
  /** Processes the host must run. */
  processes: readonly string[];
  /** Configured mounts, in the order they were given to the probe; "auto" otherwise. */
  mounts: "auto" | readonly string[];
  /** What the probe was asked for: `counters` reads `/proc/stat` once and CPU is left unmeasured. @defaultValue "sample" */
  cpu?: ProbeCpuMode;
}

/** Lines longer than this are nobody's data (a path is at most 4096 bytes): skipped unread. */
const MAX_LINE = 8192;
const DF_LINE = /^(\S+)\s+(\d{1,18})\s+(\d{1,18})\s+(\d{1,18})\s+(?:\d+%|-)\s+(\/.*)$/;
const COUNT = /^\d{1,18}$/;
const DECIMAL = /^\d{1,15}(?:\.\d{1,9})?$/;

const round1 = (n: number) => Math.round(n * 10) / 10;
/** part / whole as a percentage, always within 0–100. */
const percent = (part: number, whole: number) => (whole > 0 ? round1(Math.min(100, Math.max(0, (part / whole) * 100))) : 0);

/** A non-negative whole number as the kernel prints counters; anything else is undefined. */
function count(text: string | undefined): number | undefined {
  return text !== undefined && COUNT.test(text) ? Number(text) : undefined;
}

/** A non-negative decimal (uptime, load, clock). */
function decimal(text: string | undefined): number | undefined {
  return text !== undefined && DECIMAL.test(text) ? Number(text) : undefined;
}

interface DfRow {
  filesystem: string;
  total: number;
  used: number;
  free: number;
  mountPoint: string;
}

/** Sums a `/proc/stat` cpu line into busy and total jiffies. busy = total - idle - iowait. */
function cpuCounters(fields: readonly string[]): { busy: number; total: number; idle: number; fields: number[] } | undefined {
  const values = fields.slice(0, 8).map(count);
  if (values.length < 4 || values.some((v) => v === undefined)) return undefined;
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = values as number[];
  const total = user! + nice! + system! + idle! + iowait + irq + softirq + steal;
  return { busy: total - idle! - iowait, total, idle: idle!, fields: values as number[] };
}

function dfRows(lines: readonly string[]): DfRow[] {
  const rows: DfRow[] = [];
  for (const line of lines) {
    const m = DF_LINE.exec(line);
    if (!m) continue;
    rows.push({ filesystem: m[1]!, total: Number(m[2]), used: Number(m[3]), free: Number(m[4]), mountPoint: m[5]! });
  }
  return rows;
}

/**
 * Pairs df rows with the paths df was asked about. df prints one row per path, in order,
 * so when it answered for every path the n-th row is the n-th path's, mount point or not.
 * Otherwise a row is paired with the path it is the mount point of, and the others were
 * not measured.
 */
function pairRows(rows: DfRow[], paths: readonly string[]): Map<string, DfRow> {
  const paired = new Map<string, DfRow>();
  if (rows.length === paths.length) {
    paths.forEach((path, i) => paired.set(path, rows[i]!));
    return paired;
  }
  const byMountPoint = new Map(rows.map((row) => [row.mountPoint, row]));
  for (const path of paths) {
    const row = byMountPoint.get(path);
    if (row) paired.set(path, row);
  }
  return paired;
}

/** Lines with these tags appear once; a second one with another value makes the output ambiguous. */
const SINGLE_TAGS = new Set(["hostname", "boot_id", "uptime", "loadavg", "procvisible"]);

/**
 * Turns what the probe printed into metrics. Never throws: noise, banners, truncation,
 * a non-Linux shell, a wrong version, or figures that cannot be true (counters going
 * backwards, more available than total, the same field twice with two values) become an
 * error reason, never a wrong number. Every percentage is within 0–100, and the work is
 * linear in the size of the output.
 */
export function parseProbeOutput(stdout: string, options: ParseOptions): Result<ProbeMetrics, string> {
  try {
    return parse(stdout, options);
  } catch (cause) {
    return err(`unreadable probe output (${(cause as Error).message})`);
  }
}

function parse(stdout: string, options: ParseOptions): Result<ProbeMetrics, string> {
  const lines = stdout.split("\n").map((line) => line.replace(/\r$/, ""));
  const begin = lines.indexOf(PROBE_BEGIN);
  if (begin === -1) {
    const other = lines.find((line) => line.startsWith("@@FLEETWATCH-PROBE-BEGIN "));
    if (other) return err(`probe output version ${other.split(" ")[1]?.replace(/[^\w.-]/g, "?").slice(0, 20)} is not the expected ${PROBE_BEGIN.split(" ")[1]}`);
    const first = lines.find((line) => line.trim() !== "");
    if (first === undefined) return err("the probe printed nothing (is sh available on the host?)");
    return err(`no probe output: the host printed something else (first line: ${JSON.stringify(first.slice(0, 120))})`);
  }
  const end = lines.indexOf(PROBE_END, begin + 1);
  if (end === -1) return err("probe output was truncated (no end marker)");

  const single = new Map<string, string>();
  const memText = new Map<string, string>();
  const stat = new Map<string, Map<string, string[]>>();
  const clockText = new Map<string, string>();
  const cgmem = new Map<string, string>();
  const dfk: string[] = [];
  const dfi: string[] = [];
  const comms = new Set<string>();
  const argv0s = new Set<string>();
  const absentMounts = new Set<string>();
  const conflicts: string[] = [];
  const once = <V>(map: Map<string, V>, key: string, value: V, what: string) => {
    if (map.has(key) && map.get(key) !== value) conflicts.push(what);
    map.set(key, value);
  };

  let dfBlock: string[] | undefined;
  for (let i = begin + 1; i < end; i++) {
    const line = lines[i]!;
    if (line.length > MAX_LINE) continue;
    if (line.startsWith("@")) {
      if (line === "@dfk") dfBlock = dfk;
      else if (line === "@dfi") dfBlock = dfi;
      else if (line === "@df-end") dfBlock = undefined;
      else if (line.startsWith("@@FLEETWATCH-PROBE-")) return err("probe output is ambiguous: a second frame marker inside the frame");
      continue;
    }
    if (dfBlock) {
      dfBlock.push(line);
      continue;
    }
    const space = line.indexOf(" ");
    const tag = space === -1 ? line : line.slice(0, space);
    const rest = space === -1 ? "" : line.slice(space + 1);
    if (SINGLE_TAGS.has(tag)) {
      once(single, tag, rest, tag);
      continue;
    }
    switch (tag) {
      case "error": {
        const parts = rest.trim().split(/\s+/);
        if (parts[0] === "not-linux") return err(`not a Linux host (uname: ${parts.slice(1).join(" ").slice(0, 80) || "unknown"})`);
        return err(`probe error: ${rest.slice(0, 200)}`);
      }
      case "mem": {
        const [key, value = ""] = rest.split(" ");
        if (key) once(memText, key.replace(/:$/, ""), value, `mem ${key.slice(0, 20)}`);
        break;
      }
      case "stat": {
        const [sampleId, name, ...values] = rest.trim().split(/\s+/);
        if (!sampleId || !name || !/^cpu\d*$/.test(name)) break;
        let sample = stat.get(sampleId);
        if (!sample) stat.set(sampleId, (sample = new Map()));
        if (sample.has(name)) conflicts.push(`stat ${name}`);
        sample.set(name, values);
        break;
      }
      case "clock": {
        const [sampleId, value = ""] = rest.split(" ");
        if (sampleId) once(clockText, sampleId, value, "clock");
        break;
      }
      case "cgmem": {
        const [version, key, value] = rest.split(" ");
        if ((version === "1" || version === "2") && key && value !== undefined) once(cgmem, `${version} ${key}`, value, "cgmem");
        break;
      }
      case "nomount":
        absentMounts.add(rest);
        break;
      case "comm":
        comms.add(rest);
        break;
      case "argv0":
        argv0s.add(rest);
        break;
      default:
        break;
    }
  }
  if (conflicts.length > 0) return err(`probe output is ambiguous: ${[...new Set(conflicts)].slice(0, 3).join(", ")} given twice with different values`);
  const mem = new Map<string, number>();
  for (const [key, text] of memText) {
    const kib = count(text);
    if (kib !== undefined) mem.set(key, kib * 1024);
  }
  const clock = new Map<string, number>();
  for (const [key, text] of clockText) {
    const seconds = decimal(text);
    if (seconds !== undefined) clock.set(key, seconds);
  }

  const hostname = single.get("hostname");
  const bootId = single.get("boot_id");
  const uptime = decimal(single.get("uptime"));
  const loadFields = (single.get("loadavg") ?? "").split(" ");
  const [l1, l5, l15] = loadFields.map(decimal);
  if (!hostname) return err("probe output has no hostname");
  if (!bootId) return err("probe output has no boot_id");
  if (uptime === undefined) return err("probe output has no uptime");
  if (loadFields.length !== 3 || l1 === undefined || l5 === undefined || l15 === undefined) return err("probe output has no load average");

  const cpu = options.cpu === "counters" ? cpuCounterReading(stat, clock) : cpuUsage(stat, clock);
  if (!cpu.ok) return cpu;

  const memory = memoryUsage(mem, cgmem);
  if (!memory.ok) return memory;
  const swapTotal = mem.get("SwapTotal") ?? 0;
  const swapFree = mem.get("SwapFree") ?? swapTotal;
  if (swapFree > swapTotal) return err("probe output has more free swap than swap");
  const swapUsed = swapTotal - swapFree;

  const { mounts, missingMounts } = mountUsage(dfRows(dfk), dfRows(dfi), options.mounts, absentMounts);

  const visible = single.get("procvisible") === "1";
  const processes: Record<string, ProcessState> = {};
  for (const name of options.processes) {
    // The kernel keeps 15 characters of a name; a longer one is matched against the
    // basename of argv[0] of the processes whose comm is its first 15 (design: "Process names").
    const present = name.length > COMM_MAX ? argv0s.has(name) : comms.has(name);
    processes[name] = present ? "present" : visible ? "missing" : "unknown";
  }

  return ok({
    hostname,
    bootId,
    uptimeSeconds: uptime,
    cores: cpu.value.cores,
    load: { one: l1, five: l5, fifteen: l15 },
    cpu: cpu.value.cpu,
    memory: memory.value,
    swap: { totalBytes: swapTotal, usedBytes: swapUsed, usedPercent: percent(swapUsed, swapTotal) },
    mounts,
    missingMounts,
    processesVisible: visible,
    processes,
  });
}

/** Cores counted in one sample: its `cpuN` lines. */
const coresIn = (sample: Map<string, string[]>) => [...sample.keys()].filter((name) => /^cpu\d+$/.test(name)).length;

/** The counters of the probe's one sample (no pause): the share is for the caller to compute against an earlier reading. */
function cpuCounterReading(
  stat: Map<string, Map<string, string[]>>,
  clock: Map<string, number>,
): Result<{ cores: number; cpu: ProbeMetrics["cpu"] }, string> {
  const sample = stat.get("1");
  const reading = sample?.get("cpu") && cpuCounters(sample.get("cpu")!);
  const at = clock.get("1");
  if (!reading || at === undefined) return err("probe output has no CPU sample");
  const cores = coresIn(sample!);
  if (cores === 0) return err("probe output lists no CPU cores");
  return ok({
    cores,
    cpu: {
      usedPercent: null,
      windowMs: 0,
      method: "none",
      unmeasured: "one reading of the counters: no earlier one to measure from",
      counters: { busy: reading.busy, total: reading.total, uptimeSeconds: at },
    },
  });
}

/** CPU busy share between the probe's two samples of `/proc/stat`. */
function cpuUsage(
  stat: Map<string, Map<string, string[]>>,
  clock: Map<string, number>,
): Result<{ cores: number; cpu: ProbeMetrics["cpu"] }, string> {
  const first = stat.get("1");
  const second = stat.get("2");
  const before = first?.get("cpu") && cpuCounters(first.get("cpu")!);
  const after = second?.get("cpu") && cpuCounters(second.get("cpu")!);
  const t1 = clock.get("1");
  const t2 = clock.get("2");
  if (!before || !after || t1 === undefined || t2 === undefined) return err("probe output has no CPU sample");
  const cores = coresIn(first!);
  if (cores === 0) return err("probe output lists no CPU cores");
  if (t2 <= t1) return err("probe output's CPU samples are not in time order");
  const totalDelta = after.total - before.total;
  // user, nice, system and idle only grow; iowait and steal are known to step back on some
  // kernels and hypervisors, so only the first four going back means the figures are not to be trusted.
  const backwards = before.fields.slice(0, 4).some((value, i) => (after.fields[i] ?? value) < value);
  if (backwards || totalDelta <= 0) return err("probe output's CPU counters did not advance between its two samples");
  return ok({
    cores,
    cpu: {
      usedPercent: percent(after.busy - before.busy, totalDelta),
      windowMs: Math.round((t2 - t1) * 1000),
      method: "sample",
      counters: { busy: after.busy, total: after.total, uptimeSeconds: t2 },
    },
  });
}

/** v1 reports "no limit" as the largest page-aligned counter, v2 as `max`. */
function cgroupLimit(cgmem: Map<string, string>): Result<CgroupMemory | undefined, string> {
  const versions = [1, 2].filter((v) => cgmem.has(`${v} limit`));
  if (versions.length > 1) return err("probe output has two cgroup memory limits");
  const version = versions[0] as 1 | 2 | undefined;
  if (version === undefined) return ok(undefined);
  const limitText = cgmem.get(`${version} limit`)!;
  if (limitText === "max") return ok(undefined);
  if (!/^\d{1,20}$/.test(limitText)) return err(`probe output has an unreadable cgroup memory limit ${JSON.stringify(limitText.slice(0, 30))}`);
  const usage = count(cgmem.get(`${version} usage`));
  if (usage === undefined) return err("probe output has a cgroup memory limit but no usage");
  const inactive = cgmem.has(`${version} inactive_file`) ? count(cgmem.get(`${version} inactive_file`)) : 0;
  if (inactive === undefined) return err("probe output has an unreadable cgroup inactive_file");
  return ok({ version, limitBytes: Number(limitText), usageBytes: usage, inactiveFileBytes: inactive });
}

/**
 * Used = MemTotal − MemAvailable, or, under a cgroup memory limit lower than the host's
 * memory, the container's working set (usage − inactive file cache) against the limit.
 */
function memoryUsage(mem: Map<string, number>, cgmem: Map<string, string>): Result<ProbeMetrics["memory"], string> {
  const memTotal = mem.get("MemTotal");
  if (memTotal === undefined || memTotal <= 0) return err("probe output has no MemTotal");
  const memAvailable = mem.get("MemAvailable");
  const available = memAvailable ?? (mem.get("MemFree") ?? 0) + (mem.get("Buffers") ?? 0) + (mem.get("Cached") ?? 0);
  if (memAvailable !== undefined && memAvailable > memTotal) return err("probe output has more MemAvailable than MemTotal");
  const availableOnHost = Math.min(available, memTotal);
  const host = {
    totalBytes: memTotal,
    availableBytes: availableOnHost,
    usedBytes: memTotal - availableOnHost,
    usedPercent: percent(memTotal - availableOnHost, memTotal),
    availableSource: memAvailable === undefined ? ("estimate" as const) : ("MemAvailable" as const),
  };
  const limit = cgroupLimit(cgmem);
  if (!limit.ok) return limit;
  const cgroup = limit.value;
  // A limit at or above the host's memory does not bind: the host runs out first.
  if (!cgroup || cgroup.limitBytes <= 0 || cgroup.limitBytes >= memTotal) return ok(host);
  const used = Math.min(cgroup.limitBytes, Math.max(0, cgroup.usageBytes - cgroup.inactiveFileBytes));
  return ok({
    totalBytes: cgroup.limitBytes,
    availableBytes: cgroup.limitBytes - used,
    usedBytes: used,
    usedPercent: percent(used, cgroup.limitBytes),
    availableSource: "cgroup",
    cgroup,
    host: { totalBytes: host.totalBytes, availableBytes: host.availableBytes, usedPercent: host.usedPercent },
  });
}

/** Each watched path with the figures of the filesystem that holds it; each path df did not measure on its own. */
function mountUsage(
  blocks: DfRow[],
  inodes: DfRow[],
  requested: "auto" | readonly string[],
  absent: ReadonlySet<string>,
): { mounts: MountUsage[]; missingMounts: string[] } {
  const paths = requested === "auto" ? [...new Set(blocks.map((row) => row.mountPoint))] : requested.filter((path) => !absent.has(path));
  const blockRows = requested === "auto" ? new Map(blocks.map((row) => [row.mountPoint, row])) : pairRows(blocks, paths);
  const inodeRows = requested === "auto" ? new Map(inodes.map((row) => [row.mountPoint, row])) : pairRows(inodes, paths);
  const mounts: MountUsage[] = [];
  const missingMounts: string[] = [];
  for (const path of requested === "auto" ? paths : requested) {
    const row = blockRows.get(path);
    if (absent.has(path) || !row) {
      missingMounts.push(path);
      continue;
    }
    const inode = inodeRows.get(path);
    mounts.push({
      path,
      mountPoint: row.mountPoint,
      filesystem: row.filesystem,
      sizeBytes: row.total * 1024,
      usedBytes: row.used * 1024,
      availableBytes: row.free * 1024,
      usedPercent: percent(row.used, row.used + row.free),
      inodes:
        inode && inode.total > 0 && inode.mountPoint === row.mountPoint
          ? { total: inode.total, used: inode.used, free: inode.free, usedPercent: percent(inode.used, inode.used + inode.free) }
          : null,
    });
  }
  return { mounts, missingMounts };
}
