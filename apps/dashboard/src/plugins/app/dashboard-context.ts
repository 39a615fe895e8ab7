import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";
import type { Locale } from "@fleetwatch/core";
import type { PageText } from "../../views/i18n.js";
import { PAGE_TEXT } from "../../views/i18n.js";
import type { DashboardSettings } from "./dashboard-settings.js";
import type { FleetReader } from "./fleet-reader.js";

/** What every route of the dashboard shares, as the `dash` decorator. */
export interface DashboardContext {
  fleet: FleetReader;
  settings(): DashboardSettings;
  /** Words and time zone of the pages (notify.locale, notify.timezone). */
  view(): { t: PageText; locale: Locale; timeZone: string };
}

declare module "fastify" {
  interface FastifyInstance {
    dash: DashboardContext;
  }
}

export const dashboardContext = fp(
  async (fastify: FastifyInstance, options: { fleet: FleetReader; settings: () => DashboardSettings }) => {
    fastify.decorate("dash", {
      fleet: options.fleet,
      settings: options.settings,
      view: () => {
        const { locale, timezone } = options.settings().notify;
        return { t: PAGE_TEXT[locale], locale, timeZone: timezone };
      },
    } satisfies DashboardContext);
  },
  { name: "dashboard-context" },
);
