import { z } from "zod";
import { durationWithin, mountPathSchema, processNameSchema } from "./field-schemas.js";
import { sshSettingsSchema } from "./ssh-settings-schema.js";
import { thresholdsSchema } from "./thresholds-schema.js";

/** Settings that `defaults`, a group and a host may each set; lower levels override higher ones. */
export const hostSettingsShape = {
  ssh: sshSettingsSchema.optional().describe("SSH connection settings"),
  interval: durationWithin(1_000, 86_400_000, "1s", "24h").optional().describe("Time between two checks of a host (default: 60s)"),
  for: z
    .number({ error: "expected a whole number of checks, 1 or more" })
    .int({ error: "expected a whole number of checks, 1 or more" })
    .min(1, { error: "expected a whole number of checks, 1 or more" })
    .max(1000, { error: "expected a whole number of checks, at most 1000" })
    .optional()
    .describe("Consecutive non-ok checks before an alert fires (default: 2)"),
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
