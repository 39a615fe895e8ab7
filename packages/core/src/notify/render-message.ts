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

export interface RenderedMessage {
  title: string;
  /** One or more markdown texts, each under DingTalk's size limit. */
  parts: string[];
  atMobiles: string[];
  isAtAll: boolean;
}

const ICON: Record<AlertSeverity, string> = { critical: "🔴", warning: "🟠" };

/** Alerts by host; pipeline alerts under a heading of their own, apart from any host of the same name. */
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

/** What is wrong, in the team's language where fleetwatch knows it; a technical reason otherwise. */
function describe(t: Catalogue, a: AlertView, now: number): string {
  if (a.check.startsWith("process:")) return a.unknown ? t.processUnknown : t.processMissing;
  if (a.check === "stale" && !a.pipeline) return t.noResultFor(formatDuration(Math.max(0, now - a.since)));
  if (a.pipeline) return a.check === STALLED_ALERT ? t.pipelineStalled(formatDuration(Math.max(0, now - a.since))) : escapeMarkdown(a.message);
  if (a.value !== undefined && a.threshold) {
    const bound = a.severity === "critical" ? a.threshold.critical : a.threshold.warning;
    const unit = a.unit === "%" ? "%" : a.unit ? ` ${a.unit}` : "";
    return bound === undefined ? `${fmt(a.value)}${unit}` : `${fmt(a.value)}${unit} ≥ ${fmt(bound)}${unit}`;
  }
  if (a.unknown && (a.check.startsWith("disk:") || a.check.startsWith("inodes:"))) return t.mountMissing;
  return escapeMarkdown(a.message);
}

function detailedLines(t: Catalogue, firing: readonly AlertView[], now: number): string[] {
  const lines: string[] = [];
  for (const [host, alerts] of hostsOf(t, firing)) {
    const first = alerts[0]!;
    const address = first.address && first.address !== host && !first.pipeline ? ` (${escapeMarkdown(first.address)})` : "";
    lines.push(`${ICON[first.severity]} **${escapeMarkdown(host)}**${address}`);
    for (const a of alerts) {
      const since = a.firingSince !== undefined ? t.firingFor(formatDuration(Math.max(0, now - a.since))) : "";
      lines.push(`- ${severityWord(t, a)} · ${escapeMarkdown(t.check(a.check))}: ${describe(t, a, now)}${since}`);
    }
  }
  return lines;
}

/** In a storm: one line per check, naming every host that fails it. */
function summaryLines(t: Catalogue, firing: readonly AlertView[]): string[] {
  const byCheck = new Map<string, { severity: AlertSeverity; hosts: string[] }>();
  for (const a of firing) {
    const key = `${a.severity}\u0000${a.check.split(":")[0]}`;
    const entry = byCheck.get(key) ?? { severity: a.severity, hosts: [] };
    entry.hosts.push(a.check.includes(":") ? `${a.host} (${a.check.split(/:(.*)/s)[1]})` : a.host);
    byCheck.set(key, entry);
  }
  return [...byCheck.entries()].flatMap(([key, { severity, hosts }]) => {
    const check = key.split("\u0000")[1]!;
    // Names in short lines, so a split between message parts never cuts one in two.
    const lines = [`- ${ICON[severity]} **${escapeMarkdown(t.check(check))}** (${hosts.length}):`];
    for (let i = 0; i < hosts.length; i += 20) lines.push(`  ${hosts.slice(i, i + 20).map(escapeMarkdown).join(", ")}`);
    return lines;
  });
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

const RANK = { none: 3, warning: 1, critical: 2 } as const;

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

/** One planned message → DingTalk markdown, in the team's language, split under the size limit. */
export function renderMessage(message: PlannedMessage, robot: RobotSettings, settings: NotifySettings, now: number): RenderedMessage {
  const t = CATALOGUES[settings.locale];
  const { firing, resolved } = message;
  const subject = (a: AlertView) => (a.pipeline ? "\u0000pipeline" : a.host);
  const hostCount = new Set([...firing, ...resolved].map(subject)).size;
  const counts = {
    critical: new Set(firing.filter((a) => a.severity === "critical").map(subject)).size,
    warning: new Set(firing.filter((a) => a.severity === "warning").map(subject)).size,
    resolved: new Set(resolved.map(subject)).size,
    hosts: hostCount,
  };
  const state = firing.length === 0 ? t.resolved : message.reminder ? t.reminder : t.firing;
  const icon = firing.length === 0 ? "✅" : ICON[firing.some((a) => a.severity === "critical") ? "critical" : "warning"];
  const groups = [...new Set(message.groupKeys.map((k) => k.split("/")[1]!).filter((g) => g !== "-" && !g.startsWith("@")))];
  const scope = groups.length > 0 && groups.length <= 3 ? ` ${groups.map(escapeMarkdown).join(", ")}` : "";
  const title = `[${state}]${scope} ${t.headline(counts)}`;

  const mentionable = robot.mentionOn !== "none" && firing.some((a) => !message.reminder && RANK[a.severity] >= RANK[robot.mentionOn]);
  const atMobiles = mentionable ? robot.atMobiles : [];
  const isAtAll = mentionable && robot.atAll;

  const storm = new Set(firing.map((a) => a.host)).size > STORM_HOSTS;
  const body = [
    ...(storm ? [`> ${t.stormSummary(counts.critical + counts.warning)}`, ...summaryLines(t, firing)] : detailedLines(t, firing, now)),
    ...resolvedLines(t, resolved),
  ];
  const footer = [
    "",
    `${t.time}: ${formatTime(now, settings.timezone)} (${settings.timezone})`,
    ...(settings.dashboardUrl ? [`[${t.statusPage}](${settings.dashboardUrl})`] : []),
    ...(atMobiles.length > 0 ? [atMobiles.map((m) => `@${m}`).join(" ")] : []),
  ].join("\n");
  const heading = (part: string) => `### ${icon} ${title}${part}`;
  const chunks = splitLines(body, utf8Bytes(heading(t.part(99, 99))) + utf8Bytes(footer) + 4);
  const parts = chunks.map((lines, i) => `${heading(chunks.length > 1 ? t.part(i + 1, chunks.length) : "")}\n\n${lines.join("\n")}\n${footer}`);
  return { title, parts: parts.length > 0 ? parts : [`${heading("")}\n${footer}`], atMobiles, isAtAll };
}
