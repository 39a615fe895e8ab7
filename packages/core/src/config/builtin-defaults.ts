import type { HostKeyPolicy } from "./ssh-settings-schema.js";
import type { Level } from "./thresholds-schema.js";

/** What a host gets for every field nobody set. Documented in docs/configuration.md. */
export const BUILTIN_DEFAULTS = {
  ssh: {
    user: "monitor",
    port: 22,
    key: "/etc/fleetwatch/id_ed25519",
    knownHosts: "/etc/fleetwatch/known_hosts",
    hostKeyPolicy: "strict" as HostKeyPolicy,
    connectTimeoutMs: 5_000,
    handshakeTimeoutMs: 10_000,
    commandTimeoutMs: 20_000,
  },
  intervalMs: 60_000,
  for: 2,
  thresholds: {
    cpu: { critical: 85 } as Level,
    memory: { critical: 90 } as Level,
    swap: { warning: 50, critical: 80 } as Level,
    load: { warning: 1.5, critical: 3 } as Level,
    disk: { critical: 95 } as Level,
    inodes: { critical: 95 } as Level,
  },
  processes: [] as string[],
  mounts: "auto" as const,
} as const;

export const NOTIFY_DEFAULTS = {
  groupWaitMs: 30_000,
  groupIntervalMs: 300_000,
  repeatIntervalMs: 14_400_000,
  sendResolved: true,
  locale: "zh-CN" as const,
  timezone: "Asia/Shanghai",
  staleAfter: 3,
  mentionOn: "critical" as const,
  minState: "warning" as const,
  workerConcurrency: 50,
  workerMaxConnections: 10_000,
};
