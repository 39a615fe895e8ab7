import { z } from "zod";

export const PROCESS_STATES = ["present", "missing", "unknown"] as const;
export type ProcessState = (typeof PROCESS_STATES)[number];

export const mountUsageSchema = z.object({
  /** The watched path: a configured mount, or the mount point found with `mounts: auto`. */
  path: z.string(),
  /** Mount point that holds `path`, as `df` reports it. */
  mountPoint: z.string(),
  filesystem: z.string(),
  sizeBytes: z.number(),
  usedBytes: z.number(),
  availableBytes: z.number(),
  /** used / (used + available), as `df` computes Capacity (root-reserved blocks excluded). */
  usedPercent: z.number(),
  inodes: z
    .object({ total: z.number(), used: z.number(), free: z.number(), usedPercent: z.number() })
    .nullable()
    .describe("null when the filesystem has no fixed inode table (btrfs, zfs)"),
});
export type MountUsage = z.infer<typeof mountUsageSchema>;

/** What one probe measured on one host. Units are in the field names. */
export const probeMetricsSchema = z.object({
  hostname: z.string(),
  bootId: z.string(),
  uptimeSeconds: z.number(),
  cores: z.number().int(),
  load: z.object({ one: z.number(), five: z.number(), fifteen: z.number() }),
  cpu: z.object({
    usedPercent: z.number(),
    /** The window the busy share was measured over. */
    windowMs: z.number(),
    /** `sample`: two reads inside the probe; `delta`: since the previous check of the same boot. */
    method: z.enum(["sample", "delta"]),
    /** Cumulative jiffies at the end of the window, for a later delta. */
    counters: z.object({ busy: z.number(), total: z.number() }),
  }),
  memory: z.object({
    totalBytes: z.number(),
    availableBytes: z.number(),
    usedBytes: z.number(),
    usedPercent: z.number(),
    /** `MemAvailable`, or an estimate (MemFree + Buffers + Cached) on kernels before 3.14. */
    availableSource: z.enum(["MemAvailable", "estimate"]),
  }),
  swap: z.object({ totalBytes: z.number(), usedBytes: z.number(), usedPercent: z.number() }),
  mounts: z.array(mountUsageSchema),
  /** Configured mounts that `df` did not report (path missing or unreadable). */
  missingMounts: z.array(z.string()),
  /** false when /proc hides other users' processes (hidepid): a missing process is then unknown. */
  processesVisible: z.boolean(),
  processes: z.record(z.string(), z.enum(PROCESS_STATES)),
});
export type ProbeMetrics = z.infer<typeof probeMetricsSchema>;
