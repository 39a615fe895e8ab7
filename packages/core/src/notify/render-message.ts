import type { AlertSeverity } from "../alerting/alert-state.js";
import type { AlertView, PlannedMessage } from "../alerting/plan-dispatch.js";
import { PIPELINE_SCOPE, STALLED_ALERT } from "../alerting/pipeline-alerts.js";
import { formatDuration } from "../util/duration.js";
import { escapeMarkdown } from "./escape-markdown.js";
import type { Catalogue } from "./locale-catalogue.js";
import { CATALOGUES } from "./locale-catalogue.js";
import type { NotifySettings, RobotSettings } from "./notify-settings.js";
import { splitLines, utf8Bytes } from "./split-markdown.js";

/** Above this many hosts a message lists hosts by check instead of checks by host. */
export const STORM_HOSTS = 30;
/** One send is at most this many messages per robot: beyond, names give way to counts. */
export const MAX_PARTS = 3;

export interface RenderedMessage {
  title: string;
  /** One to three markdown texts, each under DingTalk's size limit. */
  parts: string[];
  /** Who rings: only with the first part (its text carries the `@mobile`s), and only for news. */
  atMobiles: string[];
  isAtAll: boolean;
}

const ICON: Record<AlertSeverity, string> = { critical: "🔴", warning: "🟠" };
const RANK = { none: 3, warning: 1, critical: 2 } as const;

/** Pipeline alerts are their own subject, apart from any host of the same name. */
const subjectOf = (a: AlertView): string => (a.pipeline ? "\u0000pipeline" : a.host);

/** Alerts by subject, in order; pipeline alerts under a heading of their own. */
function hostsOf(t: Catalogue, alerts: readonly AlertView[]): Map<string, AlertView[]> {
  const hosts = new Map<string, AlertView[]>();
  for (const a of alerts) {
    const key = a.pipeline ? `${PIPELINE_SCOPE} · ${t.check("pipeline")}` : a.host;
    const list = hosts.get(key) ?? [];
    list.push(a);
    hosts.set(key, list);
  }
  return hosts;
}

function severityWord(t: Catalogue, a: AlertView): string {
  return a.unknown ? t.unknown : t[a.severity];
}

const fmt = (n: number) => (Number.isInteger(n) ? String(n) : n.toFixed(n < 10 ? 2 : 1));

/** What is wrong, in the team's language where fleetwatch knows it; the technical detail after it. */
function describe(t: Catalogue, a: AlertView, now: number): string {
  if (a.pipeline) return a.check === STALLED_ALERT ? t.pipelineStalled(formatDuration(Math.max(0, now - a.since))) : escapeMarkdown(a.message);
  if (a.check.startsWith("process:")) return a.unknown ? t.processUnknown : t.processMissing;
  if (a.check === "stale") return t.noResultFor(formatDuration(Math.max(0, now - a.since)));
  if (a.outcome) return `${t.outcome[a.outcome]} (${escapeMarkdown(a.message)})`;
  if (a.value !== undefined && a.threshold) {
    const bound = a.severity === "critical" ? a.threshold.critical : a.threshold.warning;
    const unit = a.unit === "%" ? "%" : a.unit ? ` ${a.unit}` : "";
    return bound === undefined ? `${fmt(a.value)}${unit}` : `${fmt(a.value)}${unit} ≥ ${fmt(bound)}${unit}`;
  }
  if (a.unknown && (a.check.startsWith("disk:") || a.check.startsWith("inodes:"))) return t.mountMissing;
  return escapeMarkdown(a.message);
}

/** A host's page on the dashboard, its name encoded (IPv6 addresses, and no `(` `)` to end the markdown link). */
export function dashboardHostUrl(dashboardUrl: string, host: string): string {
  const path = encodeURIComponent(host).replace(/[()]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
  return `${dashboardUrl.replace(/\/+$/, "")}/hosts/${path}`;
}

function detailedLines(t: Catalogue, firing: readonly AlertView[], now: number, dashboardUrl?: string): string[] {
  const lines: string[] = [];
  for (const [host, alerts] of hostsOf(t, firing)) {
    const first = alerts[0]!;
    const address = first.address && first.address !== host && !first.pipeline ? ` (${escapeMarkdown(first.address)})` : "";
    const name = `**${escapeMarkdown(host)}**`;
    lines.push(`${ICON[first.severity]} ${dashboardUrl && !first.pipeline ? `[${name}](${dashboardHostUrl(dashboardUrl, host)})` : name}${address}`);
    for (const a of alerts) {
      const since = a.firingSince !== undefined ? t.firingFor(formatDuration(Math.max(0, now - a.since))) : "";
      lines.push(`- ${severityWord(t, a)} · ${escapeMarkdown(t.check(a.check))}: ${describe(t, a, now)}${since}`);
    }
  }
  return lines;
}

function resolvedLines(t: Catalogue, resolved: readonly AlertView[]): string[] {
  if (resolved.length === 0) return [];
  const lines = [`#### ✅ ${t.resolved}`];
  for (const [host, alerts] of hostsOf(t, resolved)) {
    const removed = alerts.some((a) => a.removed) ? ` — ${t.hostRemoved}` : "";
    lines.push(`- **${escapeMarkdown(host)}**: ${alerts.map((a) => escapeMarkdown(t.check(a.check))).join(", ")}${removed}`);
  }
  return lines;
}

/** A link to the dashboard filtered to one state and check, when a dashboard is configured. */
function seeAllLink(t: Catalogue, settings: NotifySettings, state: "firing" | "resolved", check: string): string {
  if (!settings.dashboardUrl) return "";
  const url = new URL(settings.dashboardUrl);
  url.searchParams.set("state", state);
  url.searchParams.set("check", check);
  return ` [${t.seeAll}](${url.toString()})`;
}

/**
 * In a storm: one line per check with the number of hosts, then as many host names as
 * `cap` allows (in short lines, so a split never cuts a name), then "…and N more".
 */
function summaryLines(t: Catalogue, settings: NotifySettings, alerts: readonly AlertView[], state: "firing" | "resolved", cap: number): string[] {
  const byCheck = new Map<string, { severity: AlertSeverity; hosts: Set<string>; names: string[] }>();
  for (const a of alerts) {
    const check = a.pipeline ? "pipeline" : a.check.split(":")[0]!;
    const entry = byCheck.get(check) ?? { severity: a.severity, hosts: new Set(), names: [] };
    if (a.severity === "critical") entry.severity = "critical";
    const label = a.pipeline ? PIPELINE_SCOPE : a.host;
    if (!entry.hosts.has(subjectOf(a))) {
      entry.hosts.add(subjectOf(a));
      entry.names.push(label);
    }
    byCheck.set(check, entry);
  }
  const ordered = [...byCheck.entries()].sort(([, a], [, b]) => RANK[b.severity] - RANK[a.severity]);
  return ordered.flatMap(([check, { severity, names }]) => {
    const icon = state === "firing" ? ICON[severity] : "✅";
    const lines = [`- ${icon} **${escapeMarkdown(t.check(check))}** (${names.length}):`];
    const shown = names.slice(0, cap);
    for (let i = 0; i < shown.length; i += 20) lines.push(`  ${shown.slice(i, i + 20).map(escapeMarkdown).join(", ")}`);
    if (shown.length < names.length) lines.push(`  ${t.andMore(names.length - shown.length)}${seeAllLink(t, settings, state, check)}`);
    return lines;
  });
}

function formatTime(now: number, timezone: string): string {
  return new Intl.DateTimeFormat("sv-SE", {
    timeZone: timezone,
    year: "numeric",
    month: "2-digit",
    day: "2-digit",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hour12: false,
  }).format(new Date(now));
}

/** Hosts counted once each, at their worst severity; a host that also fires is not counted as resolved. */
export function countHosts(firing: readonly AlertView[], resolved: readonly AlertView[]): { critical: number; warning: number; resolved: number; hosts: number } {
  const worst = new Map<string, AlertSeverity>();
  for (const a of firing) if (worst.get(subjectOf(a)) !== "critical") worst.set(subjectOf(a), a.severity);
  const resolvedOnly = new Set(resolved.map(subjectOf).filter((s) => !worst.has(s)));
  const critical = [...worst.values()].filter((s) => s === "critical").length;
  return { critical, warning: worst.size - critical, resolved: resolvedOnly.size, hosts: worst.size + resolvedOnly.size };
}

/**
 * One planned message → DingTalk markdown, in the team's language, split under the size
 * limit. The storm rule: up to 30 hosts, every host in detail; above (or when the detail
 * would not fit in 3 messages), per check the count and as many host names as fit in 3
 * messages, "…and N more" and a link to the dashboard. Firing, resolved and reminder
 * messages follow the same rule.
 */
export function renderMessage(message: PlannedMessage, robot: RobotSettings, settings: NotifySettings, now: number): RenderedMessage {
  const t = CATALOGUES[settings.locale];
  const { firing, resolved } = message;
  const counts = countHosts(firing, resolved);
  const state = firing.length === 0 ? t.resolved : message.reminder ? t.reminder : t.firing;
  const icon = firing.length === 0 ? "✅" : ICON[firing.some((a) => a.severity === "critical") ? "critical" : "warning"];
  const groups = [...new Set(message.groupKeys.map((k) => k.split("/")[1]!).filter((g) => g !== "-" && !g.startsWith("@")))];
  const scope = groups.length > 0 && groups.length <= 3 ? ` ${groups.map(escapeMarkdown).join(", ")}` : "";
  const title = `[${state}]${scope} ${t.headline(counts)}`;

  // Rings only for news: an alert newly firing or escalated, at or above mentionOn.
  const mentionable = robot.mentionOn !== "none" && !message.reminder && firing.some((a) => a.change !== undefined && RANK[a.severity] >= RANK[robot.mentionOn]);
  const atMobiles = mentionable ? robot.atMobiles : [];
  const isAtAll = mentionable && robot.atAll;

  const footer = (first: boolean) =>
    [
      "",
      `${t.time}: ${formatTime(now, settings.timezone)} (${settings.timezone})`,
      ...(settings.dashboardUrl ? [`[${t.statusPage}](${settings.dashboardUrl})`] : []),
      ...(first && atMobiles.length > 0 ? [atMobiles.map((m) => `@${m}`).join(" ")] : []),
    ].join("\n");
  const heading = (part: string) => `### ${icon} ${title}${part}`;
  const layout = (body: string[]): string[] => {
    const chunks = splitLines(body, utf8Bytes(heading(t.part(99, 99))) + utf8Bytes(footer(true)) + 4);
    const parts = chunks.map((lines, i) => `${heading(chunks.length > 1 ? t.part(i + 1, chunks.length) : "")}\n\n${lines.join("\n")}\n${footer(i === 0)}`);
    return parts.length > 0 ? parts : [`${heading("")}\n${footer(true)}`];
  };

  let parts: string[] | undefined;
  if (counts.hosts <= STORM_HOSTS) {
    parts = layout([...detailedLines(t, firing, now, settings.dashboardUrl), ...resolvedLines(t, resolved)]);
    if (parts.length > MAX_PARTS) parts = undefined;
  }
  if (!parts) {
    const storm = (cap: number) => [
      `> ${t.stormSummary(counts.hosts)}`,
      ...summaryLines(t, settings, firing, "firing", cap),
      ...(resolved.length > 0 ? [`#### ✅ ${t.resolved}`, ...summaryLines(t, settings, resolved, "resolved", cap)] : []),
    ];
    let cap = counts.hosts;
    parts = layout(storm(cap));
    while (parts.length > MAX_PARTS && cap > 0) {
      cap = Math.floor(cap * 0.8);
      parts = layout(storm(cap));
    }
  }
  return { title, parts, atMobiles, isAtAll };
}
