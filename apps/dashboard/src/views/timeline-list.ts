import type { TimelineEvent } from "@fleetwatch/core";
import { formatTime } from "./format.js";
import type { SafeHtml } from "./html.js";
import { hostPath, html } from "./html.js";
import type { PageText } from "./i18n.js";

/** Events newest first, with what happened, to which check, and why. */
export function timelineList(events: readonly TimelineEvent[], t: PageText, timeZone: string, showHost: boolean): SafeHtml {
  if (events.length === 0) return html`<p class="muted">${t.noEvents}</p>`;
  return html`<table class="timeline"><thead><tr><th>${t.since}</th>${showHost ? html`<th>${t.host}</th>` : ""}<th>${t.check}</th><th>${t.status}</th><th>${t.message}</th></tr></thead><tbody>${events.map(
    (e) =>
      html`<tr data-kind="${e.kind}"><td>${formatTime(e.at, timeZone)}</td>${showHost ? html`<td>${/[*?,]/.test(e.host) ? e.host : html`<a href="${hostPath(e.host)}">${e.host}</a>`}</td>` : ""}<td>${e.check}</td><td>${t.kinds[e.kind]}${e.severity ? ` (${t.severities[e.severity]})` : ""}${e.robot ? ` → ${e.robot}` : ""}</td><td>${e.message ?? ""}</td></tr>`,
  )}</tbody></table>`;
}
