import { z } from "zod";
import { absolutePathSchema, durationWithin, portSchema } from "./field-schemas.js";

const timeoutSchema = durationWithin(100, 600_000, "100ms", "10m");

export const HOST_KEY_POLICIES = ["strict", "tofu", "off"] as const;
export type HostKeyPolicy = (typeof HOST_KEY_POLICIES)[number];

/** How to reach and log in to a host. Every field is optional at every level. */
export const sshSettingsSchema = z.strictObject({
  user: z
    .string({ error: "expected a login user name" })
    .regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,31}$/, { error: "expected a login user name" })
    .optional()
    .describe("Login user (default: monitor)"),
  port: portSchema.optional().describe("SSH port (default: 22)"),
  key: absolutePathSchema.optional().describe("Private key file: RSA, Ed25519 or ECDSA, OpenSSH or PEM (default: /etc/fleetwatch/id_ed25519)"),
  passphrase: z
    .string({ error: "expected ${ENV_VAR} or ${file:/path}" })
    .optional()
    .describe("Key passphrase, as a reference only: ${ENV_VAR} or ${file:/path}"),
  knownHosts: absolutePathSchema
    .optional()
    .describe("known_hosts file the host keys are checked against; with tofu, the file fleetwatch writes (default: /etc/fleetwatch/known_hosts)"),
  hostKeyPolicy: z
    .enum(HOST_KEY_POLICIES, { error: "expected strict, tofu or off" })
    .optional()
    .describe("strict: key must be in knownHosts; tofu: pin the first key seen; off: accept any key (warned on every run) (default: strict)"),
  connectTimeout: timeoutSchema.optional().describe("TCP connect deadline (default: 5s)"),
  handshakeTimeout: timeoutSchema.optional().describe("SSH banner, key exchange and login deadline (default: 10s)"),
  commandTimeout: timeoutSchema.optional().describe("Probe command deadline (default: 20s)"),
});

export type SshSettingsInput = z.output<typeof sshSettingsSchema>;
