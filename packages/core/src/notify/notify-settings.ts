import { NOTIFY_DEFAULTS } from "../config/builtin-defaults.js";
import type { FleetConfig } from "../config/fleet-schema.js";
import type { Locale } from "../config/notify-schema.js";

export interface RobotSettings {
  name: string;
  /** `${DINGTALK_WEBHOOK}`: resolved only by the delivery worker. */
  webhookRef: string;
  secretRef?: string;
  atMobiles: string[];
  atAll: boolean;
  mentionOn: "none" | "warning" | "critical";
  /** Fleet groups routed here; undefined for all. */
  groups?: string[];
  minState: "warning" | "critical";
}

export interface NotifySettings {
  groupWaitMs: number;
  groupIntervalMs: number;
  repeatIntervalMs: number;
  sendResolved: boolean;
  locale: Locale;
  timezone: string;
  dashboardUrl?: string;
  staleAfter: number;
  robots: RobotSettings[];
}

/** The `notify` section with every default filled in. */
export function resolveNotifySettings(config: FleetConfig): NotifySettings {
  const n = config.notify ?? {};
  const d = NOTIFY_DEFAULTS;
  const settings: NotifySettings = {
    groupWaitMs: n.groupWait ?? d.groupWaitMs,
    groupIntervalMs: n.groupInterval ?? d.groupIntervalMs,
    repeatIntervalMs: n.repeatInterval ?? d.repeatIntervalMs,
    sendResolved: n.sendResolved ?? d.sendResolved,
    locale: n.locale ?? d.locale,
    timezone: n.timezone ?? d.timezone,
    staleAfter: n.staleAfter ?? d.staleAfter,
    robots: (n.dingtalk ?? []).map((robot) => {
      const resolved: RobotSettings = {
        name: robot.name,
        webhookRef: robot.webhook,
        atMobiles: robot.atMobiles ?? [],
        atAll: robot.atAll ?? false,
        mentionOn: robot.mentionOn ?? d.mentionOn,
        minState: robot.route?.minState ?? d.minState,
      };
      if (robot.secret !== undefined) resolved.secretRef = robot.secret;
      if (robot.route?.groups) resolved.groups = robot.route.groups;
      return resolved;
    }),
  };
  if (n.dashboardUrl !== undefined) settings.dashboardUrl = n.dashboardUrl;
  return settings;
}
