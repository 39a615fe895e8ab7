import type { CheckItem, Locale } from "@fleetwatch/core";
import type { HostDetail } from "../plugins/app/fleet-reader.js";
import { decimal, formatAge, formatTime } from "./format.js";
import type { SafeHtml } from "./html.js";
import { html } from "./html.js";
import type { PageText } from "./i18n.js";
import { silenceList } from "./silence-list.js";
import { stateBadge } from "./state-style.js";
import { historyPoints, lineChart } from "./svg-chart.js";
import { timelineList } from "./timeline-list.js";

const severityBadge = (state: CheckItem["state"], t: PageText) => {
  const mapped = state === "critical" ? "critical" : state === "warning" ? "warning" : state === "unknown" ? "unknown" : "ok";
  return stateBadge(mapped, { ...t, states: { ...t.states, [mapped]: t.severities[state] } });
};

const valueOf = (c: CheckItem) => (c.value === undefined ? "–" : `${c.unit === "%" ? c.value.toFixed(1) : decimal(c.value)}${c.unit === "%" ? "%" : c.unit ? ` ${c.unit}` : ""}`);
const levels = (c: CheckItem) => (c.threshold ? `${c.threshold.warning ?? "–"} / ${c.threshold.critical ?? "–"}` : "");

export function hostPage(d: HostDetail, t: PageText, locale: Locale, timeZone: string): SafeHtml {
  const checks = d.latest?.checks ?? [];
  const threshold = (name: string) => checks.find((c) => c.name === name)?.threshold;
  const disks = checks.filter((c) => c.name.startsWith("disk:") && c.value !== undefined).sort((a, b) => (b.value ?? 0) - (a.value ?? 0));
  const diskLevels = disks[0]?.threshold;
  const chart = (title: string, pick: Parameters<typeof historyPoints>[1], unit: string, max: number | undefined, level?: { warning?: number; critical?: number }) =>
    lineChart({
      title,
      points: historyPoints(d.history, pick),
      unit,
      ...(max === undefined ? {} : { max }),
      ...(level?.warning === undefined ? {} : { warning: level.warning }),
      ...(level?.critical === undefined ? {} : { critical: level.critical }),
      timeZone,
      empty: t.chartEmpty,
    });
  const failure = d.lastFailure
    ? html`<pre class="failure">${formatTime(d.lastFailure.at, timeZone)} — ${d.lastFailure.outcome}\n${d.lastFailure.reason}</pre>`
    : html`<p class="muted">${t.never}</p>`;
  return html`<h1>${t.host} ${d.name} ${stateBadge(d.status.state, t)}</h1>
${d.member ? "" : html`<p class="error">${t.unknownHost(d.name)}</p>`}
<p>${d.group ? html`${t.group}: <b>${d.group}</b> · ` : ""}${d.latest ? html`${d.latest.host.address}:${d.latest.host.port} · ` : ""}${t.age}: ${d.status.ageMs === undefined ? t.noResultYet : html`${formatAge(d.status.ageMs, locale)} (${formatTime(d.status.lastResultAt!, timeZone)})`}${d.status.reason ? html` · ${d.status.check}: ${d.status.reason}` : ""}</p>
<h2>${t.checks}</h2>
${checks.length === 0 ? html`<p class="muted">${d.latest ? (d.latest.outcome === "ok" ? "–" : `${d.latest.outcome}: ${d.latest.reason ?? ""}`) : t.noResultYet}</p>` : html`<table id="checks"><thead><tr><th>${t.check}</th><th>${t.state}</th><th>${t.value}</th><th>${t.threshold}</th><th>${t.message}</th></tr></thead><tbody>${checks.map((c) => html`<tr><td>${c.name}</td><td>${severityBadge(c.state, t)}</td><td class="n">${valueOf(c)}</td><td>${levels(c)}</td><td>${c.message}</td></tr>`)}</tbody></table>`}
<h2>${t.history}</h2>
<div class="charts">${chart(t.cpu, (e) => e.cpuPercent, "%", 100, threshold("cpu"))}${chart(t.memory, (e) => e.memoryPercent, "%", 100, threshold("memory"))}${chart(t.disk, (e) => e.worstDiskPercent, "%", 100, diskLevels)}${chart(`${t.load} (${t.perCore})`, (e) => (e.load === undefined || !e.cores ? undefined : e.load / e.cores), "", undefined, threshold("load"))}</div>
<h2>${t.lastFailure}</h2>${failure}
<h2>${t.silences}</h2>${silenceList(d.silences, d.now, t, timeZone, false)}
<h2>${t.timeline}</h2>${timelineList(d.timeline, t, timeZone, false)}`;
}
