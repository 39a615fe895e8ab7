import type { NotifySettings } from "@fleetwatch/core";

/** What the dashboard takes from its config file: the `notify` section (locale, time zone, staleAfter) and the default interval. */
export interface DashboardSettings {
  notify: NotifySettings;
  defaultIntervalMs: number;
}
