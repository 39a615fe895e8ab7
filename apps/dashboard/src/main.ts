#!/usr/bin/env node
import type { LoadedFleet } from "@fleetwatch/core";
import { bootstrapApp, BUILTIN_DEFAULTS, closeRedis, onShutdown, resolveNotifySettings } from "@fleetwatch/core";
import { dashboardRoutes } from "./app.js";
import type { DashboardSettings } from "./plugins/app/dashboard-settings.js";
import { QueueList } from "./plugins/app/queue-list.js";

/**
 * `fleetwatch-dashboard --config FILE`: the fleet on one page, on the HTTP module every app
 * serves (HTTP_HOST, HTTP_PORT default 8080, the shared login, /healthz /readyz /metrics).
 * From the config it takes only `notify` and the default interval; hosts come from Redis.
 */
const app = bootstrapApp("fleetwatch-dashboard");
const { log, holder, connect } = app;
const redis = connect();

const settingsOf = (fleet: LoadedFleet): DashboardSettings => ({
  notify: resolveNotifySettings(fleet.config),
  defaultIntervalMs: fleet.config.defaults?.interval ?? BUILTIN_DEFAULTS.intervalMs,
});
let settings = settingsOf(holder.current);
holder.onChange((next) => {
  settings = settingsOf(next);
});

const queueAdmin = /^(1|true|yes)$/i.test(process.env.FLEETWATCH_DASHBOARD_QUEUE_ADMIN ?? "");
const queues = new QueueList(redis, () => settings);
const http = await app.serveHttp(redis, [], dashboardRoutes({ redis, settings: () => settings, queues, queueAdmin }));

onShutdown(log, async () => {
  http.markStopping();
  await http.close();
  await queues.close();
  await closeRedis([redis]);
});
log.info({ locale: settings.notify.locale, timezone: settings.notify.timezone, queueAdmin }, "dashboard started");
