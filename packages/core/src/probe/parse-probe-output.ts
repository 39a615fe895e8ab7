import type { Result } from "../util/result.js";
import { err, ok } from "../util/result.js";
import type { MountUsage, ProbeMetrics, ProcessState } from "./probe-metrics.js";
import { COMM_MAX, PROBE_BEGIN, PROBE_END } from "./probe-script.js";

export interface ParseOptions {
  /** Processes the host must run. */
  processes: readonly string[];
  /** Configured mounts, in the order they were given to the probe; "auto" otherwise. */
  mounts: "auto" | readonly string[];
}

const DF_LINE = /^(\S+)\s+(\d+)\s+(\d+)\s+(\d+)\s+(?:\d+%|-)\s+(\/.*)$/;
const round1 = (n: number) => Math.round(n * 10) / 10;
const percent = (part: number, whole: number) => (whole > 0 ? round1((part / whole) * 100) : 0);

interface DfRow {
  filesystem: string;
  total: number;
  used: number;
  free: number;
  mountPoint: string;
}

function num(text: string | undefined): number | undefined {
  if (text === undefined || !/^-?\d+(\.\d+)?$/.test(text)) return undefined;
  return Number(text);
}

/** Sums a `/proc/stat` cpu line into busy and total jiffies. busy = total - idle - iowait. */
function cpuCounters(fields: string[]): { busy: number; total: number } | undefined {
  const values = fields.slice(0, 8).map(num);
  if (values.length < 4 || values.some((v) => v === undefined)) return undefined;
  const [user, nice, system, idle, iowait = 0, irq = 0, softirq = 0, steal = 0] = values as number[];
  const total = user! + nice! + system! + idle! + iowait + irq + softirq + steal;
  return { busy: total - idle! - iowait, total };
}

function dfRows(lines: string[]): DfRow[] {
  const rows: DfRow[] = [];
  for (const line of lines) {
    const m = DF_LINE.exec(line);
    if (!m) continue;
    rows.push({ filesystem: m[1]!, total: Number(m[2]), used: Number(m[3]), free: Number(m[4]), mountPoint: m[5]! });
  }
  return rows;
}

/** Pairs df rows with the requested paths: by order when df answered for all, else by mount point. */
function pairMounts(rows: DfRow[], requested: "auto" | readonly string[]): { path: string; row: DfRow | undefined }[] {
  if (requested === "auto") return rows.map((row) => ({ path: row.mountPoint, row }));
  if (rows.length === requested.length) return requested.map((path, i) => ({ path, row: rows[i] }));
  return requested.map((path) => ({ path, row: rows.find((row) => row.mountPoint === path) }));
}

/**
 * Turns what the probe printed into metrics. Never throws: noise, banners, truncation,
 * a non-Linux shell or a wrong version become an error reason.
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
    if (other) return err(`probe output version ${other.split(" ")[1]} is not the expected ${PROBE_BEGIN.split(" ")[1]}`);
    const first = lines.find((line) => line.trim() !== "");
    if (first === undefined) return err("the probe printed nothing (is sh available on the host?)");
    return err(`no probe output: the host printed something else (first line: ${JSON.stringify(first.slice(0, 120))})`);
  }
  const end = lines.indexOf(PROBE_END, begin + 1);
  if (end === -1) return err("probe output was truncated (no end marker)");

  const fields = new Map<string, string[]>();
  const mem = new Map<string, number>();
  const stat = new Map<string, Map<string, string[]>>();
  const clock = new Map<string, number>();
  const dfk: string[] = [];
  const dfi: string[] = [];
  const comms = new Set<string>();
  const cmdline = new Map<string, number>();

  let dfBlock: string[] | undefined;
  for (const line of lines.slice(begin + 1, end)) {
    if (line === "@dfk") dfBlock = dfk;
    else if (line === "@dfi") dfBlock = dfi;
    else if (line === "@df-end") dfBlock = undefined;
    if (line.startsWith("@")) continue;
    if (dfBlock) {
      dfBlock.push(line);
      continue;
    }
    const space = line.indexOf(" ");
    const tag = space === -1 ? line : line.slice(0, space);
    const rest = space === -1 ? "" : line.slice(space + 1);
    const parts = rest.trim().split(/\s+/);
    switch (tag) {
      case "error":
        if (parts[0] === "not-linux") return err(`not a Linux host (uname: ${parts.slice(1).join(" ") || "unknown"})`);
        return err(`probe error: ${rest.slice(0, 200)}`);
      case "mem": {
        const value = num(parts[1]);
        if (value !== undefined) mem.set(parts[0]!.replace(/:$/, ""), value * 1024);
        break;
      }
      case "stat": {
        const [sampleId, name, ...values] = parts;
        if (!sampleId || !name) break;
        if (!stat.has(sampleId)) stat.set(sampleId, new Map());
        stat.get(sampleId)!.set(name, values);
        break;
      }
      case "clock": {
        const value = num(parts[1]);
        if (parts[0] && value !== undefined) clock.set(parts[0], value);
        break;
      }
      case "comm":
        comms.add(rest);
        break;
      case "cmdline": {
        const count = num(parts[1]);
        if (parts[0] && count !== undefined) cmdline.set(parts[0], count);
        break;
      }
      default:
        if (tag) fields.set(tag, [rest, ...parts]);
    }
  }

  const hostname = fields.get("hostname")?.[0];
  const bootId = fields.get("boot_id")?.[0];
  const uptime = num(fields.get("uptime")?.[1]);
  const [, l1, l5, l15] = (fields.get("loadavg") ?? []).map((v) => num(v));
  if (!hostname) return err("probe output has no hostname");
  if (!bootId) return err("probe output has no boot_id");
  if (uptime === undefined) return err("probe output has no uptime");
  if (l1 === undefined || l5 === undefined || l15 === undefined) return err("probe output has no load average");

  const first = stat.get("1");
  const second = stat.get("2");
  const before = first?.get("cpu") && cpuCounters(first.get("cpu")!);
  const after = second?.get("cpu") && cpuCounters(second.get("cpu")!);
  const t1 = clock.get("1");
  const t2 = clock.get("2");
  if (!before || !after || t1 === undefined || t2 === undefined) return err("probe output has no CPU sample");
  const cores = [...first!.keys()].filter((name) => /^cpu\d+$/.test(name)).length;
  if (cores === 0) return err("probe output lists no CPU cores");
  const totalDelta = after.total - before.total;

  const memTotal = mem.get("MemTotal");
  if (memTotal === undefined || memTotal <= 0) return err("probe output has no MemTotal");
  const memAvailable = mem.get("MemAvailable");
  const available = memAvailable ?? (mem.get("MemFree") ?? 0) + (mem.get("Buffers") ?? 0) + (mem.get("Cached") ?? 0);
  const swapTotal = mem.get("SwapTotal") ?? 0;
  const swapUsed = Math.max(0, swapTotal - (mem.get("SwapFree") ?? swapTotal));

  const inodeRows = dfRows(dfi);
  const mounts: MountUsage[] = [];
  const missingMounts: string[] = [];
  for (const { path, row } of pairMounts(dfRows(dfk), options.mounts)) {
    if (!row) {
      missingMounts.push(path);
      continue;
    }
    const inode = inodeRows.find((r) => r.mountPoint === row.mountPoint);
    mounts.push({
      path,
      mountPoint: row.mountPoint,
      filesystem: row.filesystem,
      sizeBytes: row.total * 1024,
      usedBytes: row.used * 1024,
      availableBytes: row.free * 1024,
      usedPercent: percent(row.used, row.used + row.free),
      inodes:
        inode && inode.total > 0
          ? { total: inode.total, used: inode.used, free: inode.free, usedPercent: percent(inode.used, inode.used + inode.free) }
          : null,
    });
  }

  const visible = fields.get("procvisible")?.[1] === "1";
  const processes: Record<string, ProcessState> = {};
  for (const name of options.processes) {
    const present = name.length > COMM_MAX ? (cmdline.get(name) ?? 0) > 0 : comms.has(name);
    processes[name] = present ? "present" : visible ? "missing" : "unknown";
  }

  return ok({
    hostname,
    bootId,
    uptimeSeconds: uptime,
    cores,
    load: { one: l1, five: l5, fifteen: l15 },
    cpu: {
      usedPercent: totalDelta > 0 ? percent(after.busy - before.busy, totalDelta) : 0,
      windowMs: Math.round((t2 - t1) * 1000),
      method: "sample",
      counters: after,
    },
    memory: {
      totalBytes: memTotal,
      availableBytes: available,
      usedBytes: Math.max(0, memTotal - available),
      usedPercent: percent(Math.max(0, memTotal - available), memTotal),
      availableSource: memAvailable === undefined ? "estimate" : "MemAvailable",
    },
    swap: { totalBytes: swapTotal, usedBytes: swapUsed, usedPercent: percent(swapUsed, swapTotal) },
    mounts,
    missingMounts,
    processesVisible: visible,
    processes,
  });
}
