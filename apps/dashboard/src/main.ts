#!/usr/bin/env node
import type { LoadedFleet } from "@fleetwatch/core";
import { bootstrapApp, BUILTIN_DEFAULTS, onShutdown, resolveNotifySettings } from "@fleetwatch/core";
import { dashboardRoutes } from "./app.js";
import { startHttpServer } from "./interim-http.js";
import type { DashboardSettings } from "./plugins/app/dashboard-settings.js";
import { QueueList } from "./plugins/app/queue-list.js";

const APP = "fleetwatch-dashboard";
const { log, holder, connect } = bootstrapApp(APP);
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
const http = await startHttpServer({ app: APP, logger: log, routes: dashboardRoutes({ redis, settings: () => settings, queues, queueAdmin }) });
if (!http.ok) {
  log.fatal(http.error);
  process.stderr.write(`${APP}: ${http.error}\n`);
  process.exit(2);
}
onShutdown(log, async () => {
  http.value?.markStopping();
  await http.value?.close();
  await queues.close();
  await redis.quit();
});
log.info({ url: http.value?.url, locale: settings.notify.locale, timezone: settings.notify.timezone, queueAdmin }, "dashboard started");
