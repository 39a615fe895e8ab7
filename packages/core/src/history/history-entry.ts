import type { Severity } from "../evaluate/severity.js";
import { SEVERITIES } from "../evaluate/severity.js";
import { decodeId, encodeId } from "../pipeline/encode-id.js";
import type { CheckResult } from "../result/check-result.js";
import type { Outcome } from "../result/outcome.js";
import { OUTCOMES } from "../result/outcome.js";

/**
 * One point of a host's history: the figures a chart and a strip of recent states need,
 * nothing else. Percentages to 0.1, load to 0.01; absent when the check could not measure.
 */
export interface HistoryEntry {
  /** When the check finished, epoch ms (stored to the second). */
  at: number;
  state: Severity;
  outcome: Outcome;
  cpuPercent?: number;
  memoryPercent?: number;
  /** The fullest watched filesystem. */
  worstDiskPercent?: number;
  /** 1-minute load average, and the cores it is shared by. */
  load?: number;
  cores?: number;
  /** Configured processes found not running. */
  missingProcesses: string[];
}

/** Format version of an encoded entry: an entry of another version is skipped by readers, never misread. */
export const HISTORY_ENTRY_VERSION = "1";

const STATE_CODE: Record<Severity, string> = { ok: "o", warning: "w", critical: "c", unknown: "u" };
const STATE_OF = Object.fromEntries(Object.entries(STATE_CODE).map(([s, c]) => [c, s])) as Record<string, Severity>;

const tenths = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "" : String(Math.round(n * 10)));
const hundredths = (n: number | undefined) => (n === undefined || !Number.isFinite(n) ? "" : String(Math.round(n * 100)));

/** The figures of one result, as stored: at most ~60 bytes for a host with no missing process. */
export function historyEntryOf(result: CheckResult): HistoryEntry {
  const m = result.metrics;
  const entry: HistoryEntry = { at: result.finishedAt, state: result.state, outcome: result.outcome, missingProcesses: [] };
  if (!m) return entry;
  if (m.cpu.usedPercent !== null) entry.cpuPercent = m.cpu.usedPercent;
  entry.memoryPercent = m.memory.usedPercent;
  if (m.mounts.length > 0) entry.worstDiskPercent = Math.max(...m.mounts.map((d) => d.usedPercent));
  entry.load = m.load.one;
  entry.cores = m.cores;
  entry.missingProcesses = Object.entries(m.processes)
    .filter(([, state]) => state === "missing")
    .map(([name]) => name)
    .sort();
  return entry;
}

/** `1,<seconds base 36>,<state>,<outcome index>,<cpu‰>,<mem‰>,<disk‰>,<load×100>,<cores>,<missing.names>` */
export function encodeHistoryEntry(e: HistoryEntry): string {
  return [
    HISTORY_ENTRY_VERSION,
    Math.floor(e.at / 1000).toString(36),
    STATE_CODE[e.state],
    String(OUTCOMES.indexOf(e.outcome)),
    tenths(e.cpuPercent),
    tenths(e.memoryPercent),
    tenths(e.worstDiskPercent),
    hundredths(e.load),
    e.cores === undefined ? "" : String(e.cores),
    e.missingProcesses.map(encodeId).join("."),
  ].join(",");
}

const num = (text: string | undefined, scale: number): number | undefined => {
  if (text === undefined || text === "") return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n / scale : undefined;
};

/** The entry, or undefined for text that is not a version-1 entry (logged by callers, never thrown). */
export function decodeHistoryEntry(text: string): HistoryEntry | undefined {
  const f = text.split(",");
  if (f[0] !== HISTORY_ENTRY_VERSION || f.length < 10) return undefined;
  const seconds = parseInt(f[1] ?? "", 36);
  const state = STATE_OF[f[2] ?? ""];
  const outcome = OUTCOMES[Number(f[3])];
  if (!Number.isFinite(seconds) || !state || !outcome || !SEVERITIES.includes(state)) return undefined;
  const entry: HistoryEntry = { at: seconds * 1000, state, outcome, missingProcesses: f[9] ? f[9].split(".").map(decodeId) : [] };
  const cpu = num(f[4], 10);
  const mem = num(f[5], 10);
  const disk = num(f[6], 10);
  const load = num(f[7], 100);
  const cores = num(f[8], 1);
  if (cpu !== undefined) entry.cpuPercent = cpu;
  if (mem !== undefined) entry.memoryPercent = mem;
  if (disk !== undefined) entry.worstDiskPercent = disk;
  if (load !== undefined) entry.load = load;
  if (cores !== undefined) entry.cores = cores;
  return entry;
}
