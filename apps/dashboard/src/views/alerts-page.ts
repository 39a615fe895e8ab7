import type { Locale } from "@fleetwatch/core";
import type { AlertsView } from "../plugins/app/fleet-reader.js";
import { formatAge, formatTime } from "./format.js";
import type { SafeHtml } from "./html.js";
import { hostPath, html } from "./html.js";
import type { PageText } from "./i18n.js";
import { silenceList } from "./silence-list.js";
import { stateBadge } from "./state-style.js";
import { timelineList } from "./timeline-list.js";

export interface SilenceFormState {
  host?: string;
  check?: string;
  duration?: string;
  reason?: string;
  author?: string;
  error?: string;
  created?: string;
}

/** Each robot's delivery health: ok, paused (rate limit) or failing (messages parked), and its queue. */
function robotList(v: AlertsView, t: PageText, timeZone: string): SafeHtml {
  const robots = Object.entries(v.robots);
  if (robots.length === 0) return html``;
  const badge = (state: string) => stateBadge(state === "ok" ? "ok" : state === "paused" ? "warning" : "critical", { ...t, states: { ...t.states, ok: t.robotStates.ok, warning: t.robotStates.paused, critical: t.robotStates.failing } });
  return html`<h2>${t.robots}</h2><table id="robots"><thead><tr><th>${t.robot}</th><th>${t.status}</th><th>${t.since}</th><th>${t.queued}</th><th>${t.message}</th></tr></thead><tbody>${robots.map(
    ([name, h]) => html`<tr data-robot="${name}"><td>${name}</td><td>${badge(h.state)}</td><td>${formatTime(h.since, timeZone)}</td><td class="n">${h.queued ?? 0}</td><td>${h.errcode ? `errcode ${h.errcode}: ` : ""}${h.reason ?? ""}</td></tr>`,
  )}</tbody></table>`;
}

export function alertsPage(v: AlertsView, form: SilenceFormState, t: PageText, locale: Locale, timeZone: string): SafeHtml {
  const rows = v.alerts.map(({ host, group, alert, silenced }) => {
    const state = silenced ? "silenced" : alert.status === "pending" ? "pending" : alert.unknown ? "unknown" : alert.severity;
    return html`<tr data-alert="${host}/${alert.check}"><td><a href="${hostPath(host)}">${host}</a></td><td>${group ?? ""}</td><td>${alert.check}</td><td>${stateBadge(state, t)} ${alert.status === "firing" ? t.firing : t.pending} (${t.severities[alert.severity]})</td><td>${formatTime(alert.firingSince ?? alert.since, timeZone)} (${formatAge(v.now - (alert.firingSince ?? alert.since), locale)})</td><td>${alert.message}</td></tr>`;
  });
  return html`<h1>${t.alerts}</h1>
<h2>${t.firingAndPending}</h2>
${rows.length === 0 ? html`<p class="muted">${t.noAlerts}</p>` : html`<table id="alerts"><thead><tr><th>${t.host}</th><th>${t.group}</th><th>${t.check}</th><th>${t.status}</th><th>${t.since}</th><th>${t.message}</th></tr></thead><tbody>${rows}</tbody></table>`}
${robotList(v, t, timeZone)}
<h2>${t.newSilence}</h2>
${form.error ? html`<p class="error" role="alert">${form.error}</p>` : ""}${form.created ? html`<p class="ok-note" role="status">${form.created}</p>` : ""}
<form class="silence" method="post" action="/alerts/silences">
<label for="s-host">${t.hostPattern}</label><input id="s-host" name="host" required value="${form.host ?? ""}" placeholder="web-1 / web-* / *">
<label for="s-check">${t.checkPattern}</label><input id="s-check" name="check" required value="${form.check ?? "*"}" placeholder="cpu / disk:* / *">
<label for="s-duration">${t.duration}</label><input id="s-duration" name="duration" required value="${form.duration ?? "2h"}" placeholder="30m / 2h / 1d">
<label for="s-reason">${t.reason}</label><input id="s-reason" name="reason" required value="${form.reason ?? ""}">
<label for="s-author">${t.author}</label><input id="s-author" name="author" value="${form.author ?? ""}">
<span></span><label><input type="checkbox" name="all" value="1"> ${t.matchAll}</label>
<span></span><button type="submit">${t.create}</button></form>
<h2>${t.silences}</h2>${silenceList(v.silences, v.now, t, timeZone, true)}
<h2>${t.timeline}</h2>${timelineList(v.timeline, t, timeZone, true)}`;
}
