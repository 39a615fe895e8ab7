import type { HistoryEntry } from "@fleetwatch/core";
import { formatClock } from "./format.js";
import type { SafeHtml } from "./html.js";
import { html, raw } from "./html.js";

export interface ChartOptions {
  title: string;
  /** Figures oldest first. */
  points: { at: number; value: number | undefined }[];
  unit: string;
  /** Fixed top of the scale (100 for percentages); else the data's own maximum. */
  max?: number;
  warning?: number;
  critical?: number;
  timeZone: string;
  empty: string;
}

const W = 560;
const H = 150;
const PAD = { left: 42, right: 10, top: 22, bottom: 22 };

/** An inline SVG line chart: no script, no external file; gaps where the check could not measure. */
export function lineChart(o: ChartOptions): SafeHtml {
  const known = o.points.filter((p): p is { at: number; value: number } => p.value !== undefined);
  const id = o.title.toLowerCase().replace(/[^a-z0-9]+/g, "-");
  if (known.length === 0) {
    return html`<svg class="chart" data-chart="${id}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${o.title}"><text x="8" y="16" font-weight="600">${o.title}</text><text x="${W / 2}" y="${H / 2}" text-anchor="middle" fill="#666">${o.empty}</text></svg>`;
  }
  const t0 = o.points[0]!.at;
  const t1 = Math.max(o.points[o.points.length - 1]!.at, t0 + 1);
  const top = o.max ?? Math.max(...known.map((p) => p.value), o.warning ?? 0, o.critical ?? 0, 1) * 1.1;
  const x = (at: number) => PAD.left + ((at - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (v: number) => H - PAD.bottom - (Math.min(v, top) / top) * (H - PAD.top - PAD.bottom);
  const segments: string[] = [];
  let current: string[] = [];
  for (const p of o.points) {
    if (p.value === undefined) {
      if (current.length) segments.push(current.join(" "));
      current = [];
    } else current.push(`${x(p.at).toFixed(1)},${y(p.value).toFixed(1)}`);
  }
  if (current.length) segments.push(current.join(" "));
  const level = (v: number | undefined, colour: string, dash: string, label: string) =>
    v === undefined || v > top ? "" : html`<line x1="${PAD.left}" x2="${W - PAD.right}" y1="${y(v).toFixed(1)}" y2="${y(v).toFixed(1)}" stroke="${colour}" stroke-dasharray="${dash}"/><text x="${W - PAD.right - 2}" y="${(y(v) - 3).toFixed(1)}" text-anchor="end" font-size="10" fill="${colour}">${label} ${v}${o.unit}</text>`;
  const last = known[known.length - 1]!;
  const fmt = (v: number) => (Number.isInteger(top) && top >= 10 ? v.toFixed(0) : v.toFixed(2));
  return html`<svg class="chart" data-chart="${id}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" role="img" aria-label="${o.title}">
<text x="8" y="15" font-weight="600">${o.title}</text><text x="${W - PAD.right}" y="15" text-anchor="end" font-size="12">${last.value.toFixed(1)}${o.unit}</text>
<line x1="${PAD.left}" x2="${PAD.left}" y1="${PAD.top}" y2="${H - PAD.bottom}" stroke="#999"/><line x1="${PAD.left}" x2="${W - PAD.right}" y1="${H - PAD.bottom}" y2="${H - PAD.bottom}" stroke="#999"/>
<text x="${PAD.left - 4}" y="${PAD.top + 4}" text-anchor="end" font-size="10">${fmt(top)}</text><text x="${PAD.left - 4}" y="${H - PAD.bottom}" text-anchor="end" font-size="10">0</text>
<text x="${PAD.left}" y="${H - 6}" font-size="10">${formatClock(t0, o.timeZone)}</text><text x="${W - PAD.right}" y="${H - 6}" text-anchor="end" font-size="10">${formatClock(t1, o.timeZone)}</text>
${level(o.warning, "#E69F00", "6 3", "warn")}${level(o.critical, "#D55E00", "2 2", "crit")}
${raw(segments.map((s) => `<polyline fill="none" stroke="#0072B2" stroke-width="1.5" points="${s}"/>`).join(""))}</svg>`;
}

/** The four charts of a host page, from its history ring (newest first as stored). */
export function historyPoints(history: readonly HistoryEntry[], pick: (e: HistoryEntry) => number | undefined): { at: number; value: number | undefined }[] {
  return [...history].reverse().map((e) => ({ at: e.at, value: pick(e) }));
}
