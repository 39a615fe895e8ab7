import type { FleetPage, FleetQuery, HostOverview, Locale } from "@fleetwatch/core";
import { FLEET_HOST_STATES } from "@fleetwatch/core";
import { formatAge, formatTime, percent } from "./format.js";
import type { SafeHtml } from "./html.js";
import { hostPath, html } from "./html.js";
import type { PageText } from "./i18n.js";
import { legend, stateBadge, stripClass } from "./state-style.js";

/** The list's URL for a query: links keep the filters, `/?state=critical` works as a link. */
export function fleetUrl(q: FleetQuery, page?: number): string {
  const params = new URLSearchParams();
  for (const s of q.states ?? []) params.append("state", s);
  if (q.group) params.set("group", q.group);
  if (q.name) params.set("name", q.name);
  if (q.check) params.set("check", q.check);
  if (q.pageSize && q.pageSize !== 100) params.set("size", String(q.pageSize));
  if (page && page > 1) params.set("page", String(page));
  const text = params.toString();
  return text ? `/?${text}` : "/";
}

function row(h: HostOverview, now: number, t: PageText, locale: Locale): SafeHtml {
  const l = h.latest;
  const load = l?.load === undefined ? "–" : `${l.load.toFixed(2)}${l.cores ? ` /${l.cores}` : ""}`;
  const strip = [...h.recent].reverse();
  return html`<tr data-host="${h.name}"><td><a href="${hostPath(h.name)}">${h.name}</a></td><td>${h.group ?? ""}</td><td>${stateBadge(h.status.state, t)}</td><td class="n">${h.status.ageMs === undefined ? "–" : formatAge(h.status.ageMs, locale)}</td><td class="n">${percent(l?.cpuPercent)}</td><td class="n">${percent(l?.memoryPercent)}</td><td class="n">${percent(l?.worstDiskPercent)}</td><td class="n">${load}</td><td>${(l?.missingProcesses ?? []).join(", ")}</td><td><span class="strip">${strip.map((e) => html`<i class="${stripClass(e.state, e.outcome)}"></i>`)}</span></td></tr>`;
}

export function fleetPage(page: FleetPage, query: FleetQuery, now: number, t: PageText, locale: Locale, timeZone: string): SafeHtml {
  const selected = new Set(query.states ?? []);
  const counts = FLEET_HOST_STATES.filter((s) => page.counts[s] > 0 || selected.has(s)).map(
    (s) => html`<a href="${fleetUrl({ ...query, states: [s] })}" class="${selected.has(s) ? "on" : ""}" data-count="${s}">${stateBadge(s, t)} <b>${page.counts[s]}</b></a>`,
  );
  const filters = html`<form class="filters" method="get" action="/">
<label>${t.state}<select name="state"><option value="">${t.all}</option>${FLEET_HOST_STATES.map((s) => html`<option value="${s}"${selected.has(s) ? html` selected` : ""}>${t.states[s]}</option>`)}</select></label>
<label>${t.group}<select name="group"><option value="">${t.all}</option>${page.groups.map((g) => html`<option value="${g}"${query.group === g ? html` selected` : ""}>${g}</option>`)}</select></label>
<label>${t.name}<input name="name" value="${query.name ?? ""}" placeholder="web-* / db"></label>
<button type="submit">${t.filter}</button> <a href="/">${t.clear}</a></form>`;
  const pager = html`<nav class="pager">${page.page > 1 ? html`<a rel="prev" href="${fleetUrl(query, page.page - 1)}">${t.previous}</a>` : ""}<span>${t.page(page.page, page.pages, page.matching)}</span>${page.page < page.pages ? html`<a rel="next" href="${fleetUrl(query, page.page + 1)}">${t.next}</a>` : ""}</nav>`;
  return html`<h1>${t.fleet}</h1><div class="counts">${counts}</div>${filters}
<p class="muted">${t.refreshed(formatTime(now, timeZone), timeZone)}</p>
<table id="hosts"><thead><tr><th>${t.host}</th><th>${t.group}</th><th>${t.state}</th><th>${t.age}</th><th>${t.cpu}</th><th>${t.memory}</th><th>${t.disk}</th><th>${t.load}</th><th>${t.missing}</th><th>${t.recent}</th></tr></thead>
<tbody>${page.hosts.length === 0 ? html`<tr><td colspan="10">${t.noHosts}</td></tr>` : page.hosts.map((h) => row(h, now, t, locale))}</tbody></table>${pager}${legend(t)}`;
}
