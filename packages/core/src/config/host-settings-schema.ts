import { z } from "zod";
import { durationSchema, mountPathSchema, processNameSchema } from "./field-schemas.js";
import { sshSettingsSchema } from "./ssh-settings-schema.js";
import { thresholdsSchema } from "./thresholds-schema.js";

/** Settings that `defaults`, a group and a host may each set; lower levels override higher ones. */
export const hostSettingsShape = {
  ssh: sshSettingsSchema.optional().describe("SSH connection settings"),
  interval: durationSchema.optional().describe("Time between two checks of a host (default: 60s)"),
  thresholds: thresholdsSchema.optional().describe("Alert levels"),
  processes: z
    .array(processNameSchema)
    .optional()
    .describe("Processes that must be running; a lower level replaces the list (default: none)"),
  mounts: z
    .union([z.literal("auto"), z.array(mountPathSchema)], {
      error: "expected auto or a list of absolute mount paths",
    })
    .optional()
    .describe("auto = every real local filesystem; or a list of mount paths, which may include network ones (default: auto)"),
};

export const hostSettingsSchema = z.strictObject(hostSettingsShape);
export type HostSettingsInput = z.output<typeof hostSettingsSchema>;
