import type { FleetHostState, Severity } from "@fleetwatch/core";
import { FLEET_HOST_STATES } from "@fleetwatch/core";
import type { SafeHtml } from "./html.js";
import { html } from "./html.js";
import type { PageText } from "./i18n.js";

/**
 * Okabe–Ito colours (told apart by the common forms of colour blindness), each with a shape
 * and always a text label: colour is never the only sign.
 */
export const STATE_STYLE: Record<FleetHostState, { colour: string; symbol: string }> = {
  unreachable: { colour: "#CC79A7", symbol: "⊘" },
  critical: { colour: "#D55E00", symbol: "✖" },
  stale: { colour: "#7F7F7F", symbol: "◔" },
  warning: { colour: "#E69F00", symbol: "▲" },
  unknown: { colour: "#56B4E9", symbol: "?" },
  pending: { colour: "#F0E442", symbol: "◇" },
  silenced: { colour: "#0072B2", symbol: "‖" },
  ok: { colour: "#009E73", symbol: "✔" },
};

/** CSS for state badges and the strip's cells (`s-o` ok … `s-x` unreachable). */
export function stateCss(): string {
  const badges = FLEET_HOST_STATES.map((s) => `.st-${s}{background:${STATE_STYLE[s].colour}}`).join("");
  return `${badges}.st-warning,.st-pending,.st-unknown{color:#000}`;
}

export const stateBadge = (state: FleetHostState, t: PageText): SafeHtml =>
  html`<span class="badge st-${state}" data-state="${state}"><span aria-hidden="true">${STATE_STYLE[state].symbol}</span> ${t.states[state]}</span>`;

/** A result's cell in the strip: colour and height say the same thing. */
export const stripClass = (state: Severity, outcome: string): string =>
  outcome !== "ok" && outcome !== "probe_failed" ? "s-x" : ({ ok: "s-o", warning: "s-w", critical: "s-c", unknown: "s-u" } as const)[state];

export function legend(t: PageText): SafeHtml {
  return html`<details class="legend" open><summary>${t.legend}</summary>
<ul>${FLEET_HOST_STATES.map((s) => html`<li>${stateBadge(s, t)}</li>`)}</ul>
<p>${t.legendStrip}: <span class="strip"><i class="s-o"></i></span> ${t.severities.ok} <span class="strip"><i class="s-u"></i></span> ${t.severities.unknown} <span class="strip"><i class="s-w"></i></span> ${t.severities.warning} <span class="strip"><i class="s-c"></i></span> ${t.severities.critical} <span class="strip"><i class="s-x"></i></span> ${t.states.unreachable}</p>
</details>`;
}
