import type { NotifySettings, RobotSettings } from "../notify/notify-settings.js";
import type { FailureOutcome } from "../result/outcome.js";
import { createHash } from "node:crypto";
import type { Alert, AlertSeverity, HostAlerts, Marker } from "./alert-state.js";
import type { PipelineAlerts } from "./pipeline-alerts.js";
import { PIPELINE_SCOPE } from "./pipeline-alerts.js";
import type { Silence } from "./silence.js";
import { silences, silencesPipeline } from "./silence.js";

/** A group's timers, Alertmanager-style. */
export interface GroupTimer {
  /** When a change was first seen that has not been sent yet (starts groupWait). */
  firstChangeAt?: number;
  /** When this group was last sent. */
  lastFlushAt?: number;
}

/** An alert as a message shows it. */
export interface AlertView {
  host: string;
  address?: string;
  group?: string;
  check: string;
  severity: AlertSeverity;
  unknown?: boolean;
  message: string;
  value?: number;
  unit?: string;
  threshold?: { warning?: number; critical?: number };
  since: number;
  firingSince?: number;
  resolvedAt?: number;
  removed?: boolean;
  /** An alert about fleetwatch itself; `check` is its name, `host` is `fleetwatch`. */
  pipeline?: boolean;
  /** How a stage check ended (unreachable, auth_failed…), for the message's words. */
  outcome?: FailureOutcome;
  /** In this message for the first time (`new`) or at a higher severity than last said (`escalated`): what may ring. */
  change?: "new" | "escalated";
}

/** What a message says about one alert: its identity, epoch and status. */
export interface Report {
  pipeline?: boolean;
  host: string;
  check: string;
  epoch: number;
  status: "firing" | "resolved";
  severity: AlertSeverity;
}

export interface PlannedMessage {
  /** Derived from the robot and what the message reports (alerts and their epochs): the same decision has the same id. */
  id: string;
  /** Every alert the message reports, for the delivered markers. */
  reports: Report[];
  robot: string;
  groupKeys: string[];
  /** Every firing alert of the group(s), critical first: the whole picture, as Alertmanager sends it. */
  firing: AlertView[];
  resolved: AlertView[];
  /** Nothing changed; still-firing alerts are repeated after repeatInterval. */
  reminder: boolean;
  /** For a reminder: when its alerts were last decided (part of its id). */
  reminderOf?: number;
}

export interface DecidedUpdate {
  /** A pipeline alert's marker (then `host` is `fleetwatch` and `check` the alert's name). */
  pipeline?: boolean;
  host: string;
  check: string;
  robot: string;
  /** null: forget (the robot is told it resolved, or was never told and need not be). */
  decided: Marker | null;
  /** Also forget what was delivered (the robot left the config). */
  dropDelivered?: boolean;
}

export interface DispatchPlan {
  messages: PlannedMessage[];
  /** New timer per group key; null deletes it. */
  timers: Record<string, GroupTimer | null>;
  decided: DecidedUpdate[];
}

export interface DispatchInput {
  hosts: readonly HostAlerts[];
  /** Alerts about fleetwatch itself: sent to every robot, silenced only by their own name. */
  pipeline?: PipelineAlerts;
  timers: Readonly<Record<string, GroupTimer>>;
  silences: readonly Silence[];
  settings: NotifySettings;
  now: number;
}

/** More groups than this due for one robot at once: one summarising message instead. */
export const STORM_GROUPS = 4;

const RANK: Record<AlertSeverity, number> = { warning: 1, critical: 2 };

export const groupKeyOf = (robot: string, group: string | undefined): string => `${robot}/${group ?? "-"}`;

/** The group key of a robot's pipeline alerts. */
export const pipelineGroupKey = (robot: string): string => `${robot}/@pipeline`;

/** What the planner visits: a host, or the pipeline alerts shown like one. */
interface Subject {
  host: string;
  address?: string;
  group?: string;
  pipeline?: boolean;
  alerts: Record<string, Alert>;
}

function view(host: Subject, alert: Alert): AlertView {
  const v: AlertView = { host: host.host, check: alert.check, severity: alert.severity, message: alert.message, since: alert.since };
  if (host.pipeline) v.pipeline = true;
  if (host.address !== undefined) v.address = host.address;
  if (host.group !== undefined) v.group = host.group;
  if (alert.unknown) v.unknown = true;
  if (alert.value !== undefined) v.value = alert.value;
  if (alert.unit !== undefined) v.unit = alert.unit;
  if (alert.threshold !== undefined) v.threshold = alert.threshold;
  if (alert.firingSince !== undefined) v.firingSince = alert.firingSince;
  if (alert.resolvedAt !== undefined) v.resolvedAt = alert.resolvedAt;
  if (alert.removed) v.removed = true;
  if (alert.outcome !== undefined && alert.outcome !== "ok") v.outcome = alert.outcome;
  return v;
}

interface GroupState {
  key: string;
  firing: AlertView[];
  /** Epoch of each alert in the group, by view. */
  epochs: Map<AlertView, number>;
  /** Latest time a still-firing alert was decided: a reminder's id derives from it. */
  lastDecidedAt: number;
  changed: boolean;
  resolved: AlertView[];
  reminderDue: boolean;
}

function collectGroups(input: DispatchInput, robot: RobotSettings, forgotten: DecidedUpdate[]): Map<string, GroupState> {
  const groups = new Map<string, GroupState>();
  const groupOf = (host: Subject) => {
    const key = host.pipeline ? pipelineGroupKey(robot.name) : groupKeyOf(robot.name, host.group);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, firing: [], epochs: new Map(), lastDecidedAt: 0, changed: false, resolved: [], reminderDue: false }));
    return g;
  };
  const subjects: Subject[] = [...input.hosts];
  if (input.pipeline) subjects.push({ host: PIPELINE_SCOPE, pipeline: true, alerts: input.pipeline.alerts });
  for (const host of subjects) {
    if (!host.pipeline && robot.groups && !(host.group !== undefined && robot.groups.includes(host.group))) continue;
    for (const alert of Object.values(host.alerts)) {
      const muted = host.pipeline ? silencesPipeline(input.silences, alert.check, input.now) : silences(input.silences, host.host, alert.check, input.now);
      if (muted) continue;
      const decided = alert.decided[robot.name];
      // A FIRING DingTalk refused for good, never delivered: the chat never saw it, so no RESOLVED is owed.
      const told = decided && !(alert.status !== "firing" && decided.parked && !alert.delivered[robot.name]) ? decided : undefined;
      // A RESOLVED DingTalk refused waits for the parked messages' retry (every 15 minutes, and on reload).
      if (told?.parked && alert.status !== "firing") continue;
      const loudEnough = RANK[alert.severity] >= RANK[robot.minState];
      if (alert.status === "firing" && loudEnough) {
        const g = groupOf(host);
        const v = view(host, alert);
        if (!told) v.change = "new";
        else if (RANK[alert.severity] > RANK[told.severity]) v.change = "escalated";
        g.firing.push(v);
        g.epochs.set(v, alert.epoch);
        if (!told || told.severity !== alert.severity) g.changed = true;
        else {
          g.lastDecidedAt = Math.max(g.lastDecidedAt, told.at);
          if (input.now >= told.at + input.settings.repeatIntervalMs) g.reminderDue = true;
        }
      } else if (told) {
        const g = groupOf(host);
        const v = view(host, alert);
        g.resolved.push(v);
        g.epochs.set(v, alert.epoch);
        g.changed = true;
      } else if (decided) {
        forgotten.push({ ...(host.pipeline ? { pipeline: true } : {}), host: host.host, check: alert.check, robot: robot.name, decided: null });
      } else if (alert.status !== "resolved" || loudEnough) {
        groupOf(host);
      }
    }
  }
  return groups;
}

const bySeverity = (a: AlertView, b: AlertView) => RANK[b.severity] - RANK[a.severity] || a.host.localeCompare(b.host) || a.check.localeCompare(b.check);

/**
 * Decides, from stored alert state and `now` alone, what each robot is told: a new group
 * waits `groupWait`, later changes go out at most every `groupInterval`, still-firing
 * alerts are repeated after `repeatInterval`. Pure, so a fake clock can step through it.
 */
export function planDispatch(input: DispatchInput): DispatchPlan {
  const { settings, now } = input;
  const plan: DispatchPlan = { messages: [], timers: {}, decided: [] };
  forgetRemovedRobots(input, plan);
  for (const robot of settings.robots) {
    const due: PlannedMessage[] = [];
    for (const g of collectGroups(input, robot, plan.decided).values()) {
      const timer: GroupTimer = { ...(input.timers[g.key] ?? {}) };
      if (!g.changed && !g.reminderDue) {
        if (g.firing.length === 0) plan.timers[g.key] = null;
        else if (timer.firstChangeAt !== undefined) {
          delete timer.firstChangeAt;
          plan.timers[g.key] = timer;
        }
        continue;
      }
      if (g.changed && timer.firstChangeAt === undefined) {
        // groupWait counts from when the change happened, not from when a tick noticed it.
        const times = [...g.firing.map((a) => a.firingSince ?? now), ...g.resolved.map((a) => a.resolvedAt ?? now)];
        timer.firstChangeAt = Math.min(now, ...times);
      }
      const isDue =
        timer.lastFlushAt === undefined
          ? now >= (timer.firstChangeAt ?? now) + settings.groupWaitMs
          : now >= timer.lastFlushAt + settings.groupIntervalMs;
      if (!isDue) {
        plan.timers[g.key] = timer;
        continue;
      }
      for (const a of g.firing) plan.decided.push({ ...scopeOf(a), host: a.host, check: a.check, robot: robot.name, decided: { severity: a.severity, at: now, epoch: g.epochs.get(a) ?? 0 } });
      for (const a of g.resolved) plan.decided.push({ ...scopeOf(a), host: a.host, check: a.check, robot: robot.name, decided: null });
      plan.timers[g.key] = g.firing.length > 0 ? { lastFlushAt: now } : null;
      const resolved = settings.sendResolved ? g.resolved : [];
      if (g.firing.length === 0 && resolved.length === 0) continue;
      const onlyRepeat = !g.changed;
      const reports = [...g.firing, ...resolved].map((a): Report => ({ ...scopeOf(a), host: a.host, check: a.check, epoch: g.epochs.get(a) ?? 0, status: g.firing.includes(a) ? "firing" : "resolved", severity: a.severity }));
      const message = { robot: robot.name, groupKeys: [g.key], firing: g.firing.sort(bySeverity), resolved: resolved.sort(bySeverity), reminder: onlyRepeat, reports };
      due.push({ ...message, ...(onlyRepeat ? { reminderOf: g.lastDecidedAt } : {}), id: messageId(robot.name, reports, onlyRepeat ? g.lastDecidedAt : undefined) });
    }
    if (due.length > STORM_GROUPS) plan.messages.push(mergeMessages(due));
    else plan.messages.push(...due);
  }
  return plan;
}

const scopeOf = (a: AlertView): { pipeline?: true } => (a.pipeline ? { pipeline: true } : {});

/**
 * A message's id: a hash of the robot and the (host, check, epoch, status) it reports, so a
 * dispatcher that dies between deciding and recording decides the same id again, and the
 * lane refuses it. A reminder also carries when its alerts were last decided.
 */
export function messageId(robot: string, reports: readonly Report[], reminderOf?: number): string {
  const lines = reports.map((r) => [r.pipeline ? "pipeline" : "host", r.host, r.check, r.epoch, r.status, r.severity].join("\u0000")).sort();
  if (reminderOf !== undefined) lines.push(`reminder\u0000${reminderOf}`);
  return createHash("sha256").update(robot).update("\u0001").update(lines.join("\u0001")).digest("hex").slice(0, 32);
}

/** Several due messages of one robot as one (a storm across groups, or more than one send's worth of parts). */
export function mergeMessages(due: readonly PlannedMessage[]): PlannedMessage {
  const reports = due.flatMap((m) => m.reports);
  const reminder = due.every((m) => m.reminder);
  const reminderOf = reminder ? Math.max(...due.map((m) => m.reminderOf ?? 0)) : undefined;
  return {
    robot: due[0]!.robot,
    groupKeys: due.flatMap((m) => m.groupKeys),
    firing: due.flatMap((m) => m.firing).sort(bySeverity),
    resolved: due.flatMap((m) => m.resolved).sort(bySeverity),
    reminder,
    ...(reminderOf === undefined ? {} : { reminderOf }),
    reports,
    id: messageId(due[0]!.robot, reports, reminderOf),
  };
}

/** A robot no longer in the config will never be told anything: its markers go, so nothing waits on it. */
function forgetRemovedRobots(input: DispatchInput, plan: DispatchPlan): void {
  const configured = new Set(input.settings.robots.map((r) => r.name));
  const visit = (host: string, alerts: Record<string, Alert>, pipeline: boolean) => {
    for (const alert of Object.values(alerts)) {
      for (const robot of new Set([...Object.keys(alert.decided), ...Object.keys(alert.delivered)])) {
        if (!configured.has(robot)) plan.decided.push({ ...(pipeline ? { pipeline: true } : {}), host, check: alert.check, robot, decided: null, dropDelivered: true });
      }
    }
  };
  for (const host of input.hosts) visit(host.host, host.alerts, false);
  if (input.pipeline) visit(PIPELINE_SCOPE, input.pipeline.alerts, true);
}

/** Applies the plan's decided markers to a host's alerts, and forgets resolved alerts nobody still has to hear about. */
export function applyDecided(host: HostAlerts, updates: readonly DecidedUpdate[]): HostAlerts {
  return { ...host, alerts: applyMarkers(host.alerts, updates.filter((u) => !u.pipeline && u.host === host.host)) };
}

/** `applyDecided` for the pipeline alerts. */
export function applyPipelineDecided(doc: PipelineAlerts, updates: readonly DecidedUpdate[]): PipelineAlerts {
  return { ...doc, alerts: applyMarkers(doc.alerts, updates.filter((u) => u.pipeline)) };
}

function applyMarkers(current: Record<string, Alert>, updates: readonly DecidedUpdate[]): Record<string, Alert> {
  const alerts: Record<string, Alert> = {};
  for (const [name, alert] of Object.entries(current)) {
    const decided = { ...alert.decided };
    const delivered = { ...alert.delivered };
    for (const u of updates) {
      if (u.check !== name) continue;
      if (u.decided) decided[u.robot] = u.decided;
      else delete decided[u.robot];
      if (u.dropDelivered) delete delivered[u.robot];
    }
    if (alert.status === "resolved" && Object.keys(decided).length === 0 && Object.keys(delivered).length === 0) continue;
    alerts[name] = { ...alert, decided, delivered };
  }
  return alerts;
}
