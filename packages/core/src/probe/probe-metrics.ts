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

/** A container's memory limit, read at the root of its cgroup mount. */
export const cgroupMemorySchema = z.object({
  /** 2: `memory.max`, `memory.current`, `memory.stat` inactive_file; 1: `memory.limit_in_bytes`, `memory.usage_in_bytes`, `memory.stat` total_inactive_file. */
  version: z.literal([1, 2]),
  limitBytes: z.number(),
  usageBytes: z.number(),
  inactiveFileBytes: z.number(),
});
export type CgroupMemory = z.infer<typeof cgroupMemorySchema>;

/** What one probe measured on one host. Units are in the field names. */
export const probeMetricsSchema = z.object({
  hostname: z.string(),
  bootId: z.string(),
  uptimeSeconds: z.number(),
  cores: z.number().int(),
  load: z.object({ one: z.number(), five: z.number(), fifteen: z.number() }),
  cpu: z.object({
    /**
     * Busy share of the window. null: not measured by this check (the pipeline's first
     * check of a host, or the first after a reboot), as `unmeasured` says; the cpu alert
     * then keeps its state.
     */
    usedPercent: z.number().nullable(),
    /** The window the busy share was measured over (0 when not measured). */
    windowMs: z.number(),
    /**
     * `sample`: two reads a short moment apart inside the probe (`fleetwatch check`);
     * `delta`: since the previous check of the same boot (the pipeline: the interval's average);
     * `none`: not measured this time, see `unmeasured`.
     */
    method: z.enum(["sample", "delta", "none"]),
    /** Why CPU was not measured by this check (method `none`). */
    unmeasured: z.string().optional(),
    /**
     * Cumulative jiffies at the end of the window, for a later delta, and the host's uptime
     * (seconds) when they were read (absent in results written before the pipeline's delta).
     */
    counters: z.object({ busy: z.number(), total: z.number(), uptimeSeconds: z.number().optional() }),
  }),
  /**
   * What memory is judged by. On a host, or in a container without a memory limit: the
   * host's `/proc/meminfo`. In a container with a cgroup memory limit below the host's
   * memory: the limit (`totalBytes`) and the container's working set (`usedBytes` = cgroup
   * usage − inactive file cache), as `cgroup` says; `host` then keeps meminfo's figures.
   */
  memory: z.object({
    totalBytes: z.number(),
    availableBytes: z.number(),
    usedBytes: z.number(),
    usedPercent: z.number(),
    /**
     * `MemAvailable`; an estimate (MemFree + Buffers + Cached) on kernels before 3.14; or
     * `cgroup`: the limit minus the working set.
     */
    availableSource: z.enum(["MemAvailable", "estimate", "cgroup"]),
    cgroup: cgroupMemorySchema.optional(),
    host: z.object({ totalBytes: z.number(), availableBytes: z.number(), usedPercent: z.number() }).optional(),
  }),
  swap: z.object({ totalBytes: z.number(), usedBytes: z.number(), usedPercent: z.number() }),
  mounts: z.array(mountUsageSchema),
  /** Configured paths that do not exist on the host (or that the SSH user cannot reach), or that `df` could not measure. */
  missingMounts: z.array(z.string()),
  /** false when /proc hides other users' processes (hidepid): a missing process is then unknown. */
  processesVisible: z.boolean(),
  processes: z.record(z.string(), z.enum(PROCESS_STATES)),
});
export type ProbeMetrics = z.infer<typeof probeMetricsSchema>;
