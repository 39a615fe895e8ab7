import type { Silence } from "@fleetwatch/core";
import { isSilenceActive } from "@fleetwatch/core";
import { formatTime } from "./format.js";
import type { SafeHtml } from "./html.js";
import { html } from "./html.js";
import type { PageText } from "./i18n.js";

/** Silences with their state; with `expire`, a button per active one (a same-origin POST). */
export function silenceList(silences: readonly Silence[], now: number, t: PageText, timeZone: string, expire: boolean): SafeHtml {
  if (silences.length === 0) return html`<p class="muted">${t.noSilences}</p>`;
  return html`<table id="silences"><thead><tr><th>ID</th><th>${t.status}</th><th>${t.hostPattern}</th><th>${t.checkPattern}</th><th>${t.ends}</th><th>${t.author}</th><th>${t.reason}</th>${expire ? html`<th></th>` : ""}</tr></thead><tbody>${silences.map((s) => {
    const state = isSilenceActive(s, now) ? t.active : now < s.startsAt ? t.scheduled : t.expired;
    return html`<tr data-silence="${s.id}"><td><code>${s.id}</code></td><td>${state}</td><td>${s.host}</td><td>${s.check}</td><td>${formatTime(s.endsAt, timeZone)}</td><td>${s.author}</td><td>${s.reason}</td>${
      expire ? html`<td>${now < s.endsAt ? html`<form method="post" action="/alerts/silences/${encodeURIComponent(s.id)}/expire"><button type="submit">${t.expire}</button></form>` : ""}</td>` : ""
    }</tr>`;
  })}</tbody></table>`;
}
