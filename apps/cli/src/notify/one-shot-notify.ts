import type { CheckResult, DeliveryReceipt, DispatchPlan, HostAlerts, LoadedFleet, NotifySettings } from "@fleetwatch/core";
import { applyDecided, applyReceipt, applyRemoval, applyResult, planDispatch, renderMessage, resolveNotifySettings, resolveSecret, sendDingtalk } from "@fleetwatch/core";
import type { StateFile } from "./state-file.js";

export interface NotifyOutcome {
  sent: number;
  failed: { robot: string; reason: string }[];
}

const alertId = (robot: string, host: string, check: string) => `${robot}\u0000${host}\u0000${check}`;

async function deliver(settings: NotifySettings, message: DispatchPlan["messages"][number], now: number): Promise<string | undefined> {
  const robot = settings.robots.find((r) => r.name === message.robot)!;
  const webhook = resolveSecret(robot.webhookRef);
  if (!webhook.ok) return `webhook: ${webhook.error}`;
  const secret = robot.secretRef ? resolveSecret(robot.secretRef) : undefined;
  if (secret && !secret.ok) return `secret: ${secret.error}`;
  const rendered = renderMessage(message, robot, settings, now);
  for (const [i, markdown] of rendered.parts.entries()) {
    let last = "";
    for (let attempt = 0; attempt < 3; attempt++) {
      const result = await sendDingtalk(
        { webhook: webhook.value, ...(secret?.ok ? { secret: secret.value } : {}) },
        { title: rendered.title, markdown, atMobiles: i === 0 ? rendered.atMobiles : [], isAtAll: i === 0 && rendered.isAtAll },
      );
      if (result.ok) {
        last = "";
        break;
      }
      last = result.reason;
      if (!result.recoverable || result.rateLimited) break;
      await new Promise((r) => setTimeout(r, 1_000 * 2 ** attempt));
    }
    if (last) return last;
  }
  return undefined;
}

/**
 * For cron users: applies this run's results to the alert state kept in a file, and sends
 * what changed, reminders after repeatInterval and recoveries, through the same planner,
 * formatting and DingTalk client as the notifier. A new alert is sent in the run that sees
 * it fire (no groupWait between runs). A message that could not be delivered is not marked
 * as said, so the next run tries again.
 */
export async function notifyOnce(fleet: LoadedFleet, results: readonly CheckResult[], state: StateFile, now: number): Promise<NotifyOutcome> {
  const settings: NotifySettings = { ...resolveNotifySettings(fleet.config), groupWaitMs: 0 };
  const run = state.run + 1;
  const hosts: Record<string, HostAlerts> = { ...state.hosts };
  const byName = new Map(fleet.hosts.map((h) => [h.name, h]));
  for (const result of results) {
    const host = byName.get(result.host.name)!;
    const applied = applyResult(hosts[host.name], { kind: "result", slot: run, slotStart: now, intervalMs: host.intervalMs, for: host.for, result }, now);
    if (applied.state) hosts[host.name] = applied.state;
  }
  for (const [name, current] of Object.entries(hosts)) {
    if (!byName.has(name) && !current.removed) hosts[name] = applyRemoval(current, now);
  }
  const plan = planDispatch({ hosts: Object.values(hosts), timers: state.timers, silences: [], settings, now });
  const failed: NotifyOutcome["failed"] = [];
  const undelivered = new Set<string>();
  const failedGroups = new Set<string>();
  const receipts: DeliveryReceipt[] = [];
  for (const message of plan.messages) {
    const reason = await deliver(settings, message, now);
    if (!reason) {
      receipts.push({ robot: message.robot, messageId: message.id, outcome: "delivered", reports: message.reports, at: now });
      continue;
    }
    failed.push({ robot: message.robot, reason });
    for (const a of [...message.firing, ...message.resolved]) undelivered.add(alertId(message.robot, a.host, a.check));
    for (const key of message.groupKeys) failedGroups.add(key);
  }
  const said = plan.decided.filter((u) => !undelivered.has(alertId(u.robot, u.host, u.check)));
  for (const [name, current] of Object.entries(hosts)) {
    const next = receipts.reduce(applyReceipt, applyDecided(current, said));
    if (next.removed && Object.keys(next.alerts).length === 0) delete hosts[name];
    else hosts[name] = next;
  }
  const timers = { ...state.timers };
  for (const [key, timer] of Object.entries(plan.timers)) {
    if (failedGroups.has(key)) continue;
    if (timer) timers[key] = timer;
    else delete timers[key];
  }
  Object.assign(state, { run, hosts, timers });
  return { sent: plan.messages.length - failed.length, failed };
}
