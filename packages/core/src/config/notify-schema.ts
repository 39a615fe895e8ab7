import { z } from "zod";
import { durationSchema } from "./field-schemas.js";
import { GROUP_NAME_PATTERN } from "./group-name.js";

export const LOCALES = ["zh-CN", "en"] as const;
export type Locale = (typeof LOCALES)[number];

export const MENTION_LEVELS = ["none", "warning", "critical"] as const;

const routeSchema = z.strictObject({
  groups: z
    .array(z.string().regex(GROUP_NAME_PATTERN, { error: "expected a group name" }))
    .optional()
    .describe("Fleet groups this robot hears about (default: every host, grouped or not)"),
  minState: z.enum(["warning", "critical"], { error: "expected warning or critical" }).optional().describe("Least severe alert sent (default: warning)"),
});

export const ROBOT_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_-]{0,39}$/;

export const dingtalkRobotSchema = z.strictObject({
  name: z.string().regex(ROBOT_NAME_PATTERN, { error: "robot names may use letters, digits, _ and - (at most 40)" }).describe("Unique robot name"),
  webhook: z.string({ error: "expected ${ENV_VAR} or ${file:/path}" }).describe("Webhook URL with access_token, as a reference: ${DINGTALK_WEBHOOK}"),
  secret: z.string().optional().describe("Signing secret (SEC…), as a reference"),
  atMobiles: z
    .array(z.string().regex(/^\+?[0-9]{5,20}$/, { error: "expected a mobile number (digits)" }))
    .optional()
    .describe("Mobiles to ring (default: none)"),
  atAll: z.boolean().optional().describe("Ring everyone in the group chat (default: false)"),
  mentionOn: z.enum(MENTION_LEVELS, { error: "expected none, warning or critical" }).optional().describe("Least severe firing alert that rings (default: critical)"),
  route: routeSchema.optional().describe("Which alerts go to this robot (default: all)"),
});
export type DingtalkRobotInput = z.output<typeof dingtalkRobotSchema>;

export const notifySchema = z.strictObject({
  groupWait: durationSchema.optional().describe("How long a new group waits to collect alerts before its first message (default: 30s)"),
  groupInterval: durationSchema.optional().describe("Least time between two messages about one group's changes (default: 5m)"),
  repeatInterval: durationSchema.optional().describe("When still-firing alerts are sent again (default: 4h)"),
  sendResolved: z.boolean().optional().describe("Send a message when alerts resolve (default: true)"),
  locale: z.enum(LOCALES, { error: "expected zh-CN or en" }).optional().describe("Language of messages (default: zh-CN)"),
  timezone: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat("en", { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, { error: "expected an IANA time zone such as Asia/Shanghai" })
    .optional()
    .describe("Time zone of times in messages (default: Asia/Shanghai)"),
  dashboardUrl: z.url({ error: "expected an http(s) URL" }).optional().describe("Status page linked from messages"),
  staleAfter: z.number().int().min(2).max(100).optional().describe("Missed intervals before a host is reported stale (default: 3)"),
  dingtalk: z.array(dingtalkRobotSchema).optional().describe("DingTalk custom robots"),
});
export type NotifyInput = z.output<typeof notifySchema>;

export const workerSchema = z.strictObject({
  concurrency: z.number().int().min(1).max(5000).optional().describe("Checks one worker runs at once (default: 50; env WORKER_CONCURRENCY wins)"),
  maxConnections: z
    .number()
    .int()
    .min(1)
    .max(18_000)
    .optional()
    .describe("SSH connections one worker keeps open for reuse, one per host, one file descriptor each (default: 10000)"),
});
