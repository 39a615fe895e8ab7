import { z } from "zod";
import { mountPathSchema, processNameSchema } from "./field-schemas.js";
import { HOST_KEY_POLICIES } from "./ssh-settings-schema.js";

const levelSchema = z.object({ warning: z.number().optional(), critical: z.number().optional() });

/**
 * Everything needed to check one host, after `defaults` → group → host are merged.
 * Secrets appear only as references (`passphrase: "${KEY_PASS}"`), so this can travel in
 * job data. Process names and mount paths keep the config's strict character sets here too:
 * a check job read from Redis is refused before anything of it reaches a host's shell.
 */
export const resolvedHostSchema = z.object({
  name: z.string().min(1),
  address: z.string().min(1),
  group: z.string().optional(),
  ssh: z.object({
    user: z.string(),
    port: z.number().int(),
    key: z.string(),
    passphrase: z.string().optional(),
    knownHosts: z.string(),
    hostKeyPolicy: z.enum(HOST_KEY_POLICIES),
    connectTimeoutMs: z.number().positive(),
    handshakeTimeoutMs: z.number().positive(),
    commandTimeoutMs: z.number().positive(),
  }),
  intervalMs: z.number().positive(),
  /** Consecutive non-ok results before an alert fires. */
  for: z.number().int().min(1),
  thresholds: z.object({
    cpu: levelSchema,
    memory: levelSchema,
    swap: levelSchema,
    load: levelSchema,
    disk: levelSchema,
    inodes: levelSchema,
    mounts: z.record(z.string(), z.object({ disk: levelSchema.optional(), inodes: levelSchema.optional() })),
  }),
  processes: z.array(processNameSchema),
  mounts: z.union([z.literal("auto"), z.array(mountPathSchema)]),
});

export type ResolvedHost = z.infer<typeof resolvedHostSchema>;
export type ResolvedThresholds = ResolvedHost["thresholds"];
