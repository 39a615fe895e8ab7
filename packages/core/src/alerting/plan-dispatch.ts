import type { NotifySettings, RobotSettings } from "../notify/notify-settings.js";
import type { Alert, AlertSeverity, HostAlerts } from "./alert-state.js";
import type { Silence } from "./silence.js";
import { silences } from "./silence.js";

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
}

export interface PlannedMessage {
  robot: string;
  groupKeys: string[];
  /** Every firing alert of the group(s), critical first: the whole picture, as Alertmanager sends it. */
  firing: AlertView[];
  resolved: AlertView[];
  /** Nothing changed; still-firing alerts are repeated after repeatInterval. */
  reminder: boolean;
}

export interface NotifiedUpdate {
  host: string;
  check: string;
  robot: string;
  /** null: forget (the robot was told it resolved). */
  notified: { severity: AlertSeverity; at: number } | null;
}

export interface DispatchPlan {
  messages: PlannedMessage[];
  /** New timer per group key; null deletes it. */
  timers: Record<string, GroupTimer | null>;
  notified: NotifiedUpdate[];
}

export interface DispatchInput {
  hosts: readonly HostAlerts[];
  timers: Readonly<Record<string, GroupTimer>>;
  silences: readonly Silence[];
  settings: NotifySettings;
  now: number;
}

/** More groups than this due for one robot at once: one summarising message instead. */
export const STORM_GROUPS = 4;

const RANK: Record<AlertSeverity, number> = { warning: 1, critical: 2 };

export const groupKeyOf = (robot: string, group: string | undefined): string => `${robot}/${group ?? "-"}`;

function view(host: HostAlerts, alert: Alert): AlertView {
  const v: AlertView = { host: host.host, check: alert.check, severity: alert.severity, message: alert.message, since: alert.since };
  if (host.address !== undefined) v.address = host.address;
  if (host.group !== undefined) v.group = host.group;
  if (alert.unknown) v.unknown = true;
  if (alert.value !== undefined) v.value = alert.value;
  if (alert.unit !== undefined) v.unit = alert.unit;
  if (alert.threshold !== undefined) v.threshold = alert.threshold;
  if (alert.firingSince !== undefined) v.firingSince = alert.firingSince;
  if (alert.resolvedAt !== undefined) v.resolvedAt = alert.resolvedAt;
  if (alert.removed) v.removed = true;
  return v;
}

interface GroupState {
  key: string;
  firing: AlertView[];
  changed: boolean;
  resolved: AlertView[];
  reminderDue: boolean;
}

function collectGroups(input: DispatchInput, robot: RobotSettings): Map<string, GroupState> {
  const groups = new Map<string, GroupState>();
  const groupOf = (host: HostAlerts) => {
    const key = groupKeyOf(robot.name, host.group);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = { key, firing: [], changed: false, resolved: [], reminderDue: false }));
    return g;
  };
  for (const host of input.hosts) {
    if (robot.groups && !(host.group !== undefined && robot.groups.includes(host.group))) continue;
    for (const alert of Object.values(host.alerts)) {
      if (silences(input.silences, host.host, alert.check, input.now)) continue;
      const told = alert.notified[robot.name];
      const loudEnough = RANK[alert.severity] >= RANK[robot.minState];
      if (alert.status === "firing" && loudEnough) {
        const g = groupOf(host);
        g.firing.push(view(host, alert));
        if (!told || told.severity !== alert.severity) g.changed = true;
        else if (input.now >= told.at + input.settings.repeatIntervalMs) g.reminderDue = true;
      } else if (told) {
        const g = groupOf(host);
        g.resolved.push(view(host, alert));
        g.changed = true;
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
  const plan: DispatchPlan = { messages: [], timers: {}, notified: [] };
  for (const robot of settings.robots) {
    const due: PlannedMessage[] = [];
    for (const g of collectGroups(input, robot).values()) {
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
      for (const a of g.firing) plan.notified.push({ host: a.host, check: a.check, robot: robot.name, notified: { severity: a.severity, at: now } });
      for (const a of g.resolved) plan.notified.push({ host: a.host, check: a.check, robot: robot.name, notified: null });
      plan.timers[g.key] = g.firing.length > 0 ? { lastFlushAt: now } : null;
      const resolved = settings.sendResolved ? g.resolved : [];
      if (g.firing.length === 0 && resolved.length === 0) continue;
      const onlyRepeat = !g.changed;
      due.push({ robot: robot.name, groupKeys: [g.key], firing: g.firing.sort(bySeverity), resolved: resolved.sort(bySeverity), reminder: onlyRepeat });
    }
    if (due.length > STORM_GROUPS) {
      plan.messages.push({
        robot: robot.name,
        groupKeys: due.flatMap((m) => m.groupKeys),
        firing: due.flatMap((m) => m.firing).sort(bySeverity),
        resolved: due.flatMap((m) => m.resolved).sort(bySeverity),
        reminder: due.every((m) => m.reminder),
      });
    } else plan.messages.push(...due);
  }
  return plan;
}

/** Applies the plan's notified markers to a host's alerts, and forgets resolved alerts nobody still has to hear about. */
export function applyNotified(host: HostAlerts, updates: readonly NotifiedUpdate[]): HostAlerts {
  const alerts: Record<string, Alert> = {};
  for (const [name, alert] of Object.entries(host.alerts)) {
    const notified = { ...alert.notified };
    for (const u of updates) {
      if (u.host !== host.host || u.check !== name) continue;
      if (u.notified) notified[u.robot] = u.notified;
      else delete notified[u.robot];
    }
    if (alert.status === "resolved" && Object.keys(notified).length === 0) continue;
    alerts[name] = { ...alert, notified };
  }
  return { ...host, alerts };
}
