import { Counter, Gauge } from "prom-client";
import { useMetrics } from "./metrics-registry.js";

/**
 * What became of a delivery attempt: `sent` (DingTalk answered errcode 0), `retried` (failed:
 * the same message goes again after a backoff or a 130101 pause), `parked` (set aside after an
 * answer no retry fixes, e.g. a bad token; retried every 15 minutes and on reload), `failed`
 * (not sent at all: the robot's webhook or secret cannot be resolved).
 */
export type NotificationOutcome = "sent" | "retried" | "parked" | "failed";

const notifications = new Counter({
  name: "fleetwatch_notifications_total",
  help: "DingTalk delivery attempts by robot and outcome (sent; retried: failed, goes again; parked: refused for good; failed: robot settings unusable)",
  labelNames: ["robot", "outcome"] as const,
  registers: [],
});

const webhookAnswers = new Counter({
  name: "fleetwatch_webhook_answers_total",
  help: "Answers from DingTalk webhooks by errcode (0 is success; http_NNN, network and bad_body when there was no errcode)",
  labelNames: ["errcode"] as const,
  registers: [],
});

const lastSent = new Gauge({
  name: "fleetwatch_last_notification_sent_timestamp_seconds",
  help: "Unix time this notifier last delivered a message",
  registers: [],
});

const lastDispatch = new Gauge({
  name: "fleetwatch_last_dispatch_timestamp_seconds",
  help: "Unix time the dispatcher last finished a round as leader in this notifier (alert when no replica's value moves)",
  registers: [],
});

/** Puts the delivery metrics on this process's /metrics (the notifier's). */
export function enableNotificationMetrics(): void {
  useMetrics(notifications, webhookAnswers, lastSent);
}

/** Puts the dispatcher's metric on this process's /metrics. */
export function enableDispatchMetrics(): void {
  useMetrics(lastDispatch);
}

/** Counts one delivery attempt's outcome for a robot. */
export function recordNotification(robot: string, outcome: NotificationOutcome, now = Date.now()): void {
  enableNotificationMetrics();
  notifications.inc({ robot, outcome });
  if (outcome === "sent") lastSent.set(now / 1000);
}

/** Counts one webhook answer: the errcode, or `http_502`, `network`, `bad_body`. */
export function recordWebhookAnswer(errcode: string): void {
  enableNotificationMetrics();
  webhookAnswers.inc({ errcode });
}

/** The dispatcher finished a round as leader. */
export function recordDispatch(now = Date.now()): void {
  enableDispatchMetrics();
  lastDispatch.set(now / 1000);
}
