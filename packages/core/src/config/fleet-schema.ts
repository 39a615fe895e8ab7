import { z } from "zod";
import { addressSchema, hostNameSchema, portSchema } from "./field-schemas.js";
import { GROUP_NAME_PATTERN } from "./group-name.js";
import { hostSettingsSchema, hostSettingsShape } from "./host-settings-schema.js";
import { notifySchema, workerSchema } from "./notify-schema.js";

export const hostEntrySchema = z.strictObject({
  name: hostNameSchema.optional().describe("Unique identity of the host everywhere (default: its address)"),
  address: addressSchema.describe("IPv4, IPv6 or DNS name to connect to"),
  port: portSchema.optional().describe("SSH port; shorthand for ssh.port"),
  group: z.string({ error: "expected a group name" }).optional().describe("Name of a group under `groups`"),
  ...hostSettingsShape,
});


export const fleetSchema = z.strictObject({
    defaults: hostSettingsSchema.optional().describe("Settings for every host"),
    groups: z
      .record(
        z.string().regex(GROUP_NAME_PATTERN, { error: "group names may use letters, digits and . _ -" }),
        hostSettingsSchema,
      )
      .optional()
      .describe("Named groups of settings; a host joins one with `group:`"),
    hosts: z.array(hostEntrySchema, { error: "expected a list of hosts" }).describe("The fleet"),
    notify: notifySchema.optional().describe("Alerting: timers, language and DingTalk robots (read by the notifier)"),
    worker: workerSchema.optional().describe("Worker settings"),
  });

export type FleetConfig = z.output<typeof fleetSchema>;
export type HostEntry = z.output<typeof hostEntrySchema>;
