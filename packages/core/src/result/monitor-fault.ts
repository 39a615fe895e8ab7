import { z } from "zod";

/** Files on the monitor's side whose fault fails a check before the host is involved. */
export const MONITOR_FAULT_KINDS = ["private_key", "known_hosts"] as const;
export type MonitorFaultKind = (typeof MONITOR_FAULT_KINDS)[number];

/**
 * A check failed because of the monitor, not the host: the worker cannot read its SSH key,
 * or cannot read (or, under tofu, write) its known_hosts file. Every host checked with the
 * same file fails the same way, so a consumer should raise one alert about the file and
 * hold the hosts' own alerts, as for a host that cannot be reached.
 */
export const monitorFaultSchema = z.object({
  kind: z.enum(MONITOR_FAULT_KINDS),
  /**
   * Which monitor: the host name of the process that ran the check (a worker's container or
   * machine), unless `CheckHostOptions.monitorName` says otherwise. Other monitors with
   * their own copy of the file may be fine.
   */
  monitor: z.string(),
  /** The file at fault, as configured (`ssh.key`, `ssh.knownHosts`). */
  file: z.string(),
  /**
   * What went wrong, for grouping: an errno code (`ENOENT`, `EACCES`, `EISDIR`, `ENOTDIR`,
   * `EROFS`…) or one of `unparseable`, `no_private_key`, `passphrase_missing`,
   * `passphrase_wrong`, `passphrase_unresolved`.
   */
  cause: z.string(),
  /** The same in words, with how to fix it. */
  reason: z.string(),
});
export type MonitorFault = z.infer<typeof monitorFaultSchema>;

/** A fault as the SSH layer finds it, before the check adds which monitor it happened on. */
export type FileFault = Omit<MonitorFault, "monitor">;
