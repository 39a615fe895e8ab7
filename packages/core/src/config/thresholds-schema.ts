import { z } from "zod";
import { mountPathSchema, percentSchema } from "./field-schemas.js";

/** Warning and critical levels; either may be absent (a bare number is the critical level). */
export interface Level {
  warning?: number;
  critical?: number;
}

function levelSchema(value: z.ZodNumber, what: string) {
  const pair = z
    .strictObject({
      warning: value.optional().describe("Level at which the check is a warning"),
      critical: value.optional().describe("Level at which the check is critical"),
    })
    .refine((level) => level.warning === undefined || level.critical === undefined || level.warning <= level.critical, {
      error: "warning must not be above critical",
      path: ["warning"],
    });
  return z
    .union([value, pair], { error: `expected ${what} (the critical level) or { warning, critical }` })
    .transform((input): Level => (typeof input === "number" ? { critical: input } : input));
}

export const percentLevelSchema = levelSchema(percentSchema, "a number between 0 and 100");

export const loadLevelSchema = levelSchema(
  z.number({ error: "expected a load per core, a positive number" }).positive({ error: "expected a load per core, a positive number" }),
  "a load per core",
);

export const mountThresholdsSchema = z.strictObject({
  disk: percentLevelSchema.optional().describe("Disk space used %, for this mount"),
  inodes: percentLevelSchema.optional().describe("Inodes used %, for this mount"),
});

export const thresholdsSchema = z.strictObject({
  cpu: percentLevelSchema.optional().describe("CPU busy % (default critical 85)"),
  memory: percentLevelSchema.optional().describe("Memory used %, MemTotal - MemAvailable (default critical 90)"),
  swap: percentLevelSchema.optional().describe("Swap used % (default warning 50, critical 80)"),
  load: loadLevelSchema.optional().describe("1-minute load average per core (default warning 1.5, critical 3)"),
  disk: percentLevelSchema.optional().describe("Disk space used % on every watched mount (default critical 95)"),
  inodes: percentLevelSchema.optional().describe("Inodes used % on every watched mount (default critical 95)"),
  mounts: z
    .record(mountPathSchema, mountThresholdsSchema)
    .optional()
    .describe("Per-mount overrides of disk and inodes, keyed by mount path"),
});

export type ThresholdsInput = z.output<typeof thresholdsSchema>;
export type MountThresholds = z.output<typeof mountThresholdsSchema>;
