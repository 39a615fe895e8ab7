import { parseArgs } from "node:util";

export interface BenchArgs {
  quick: boolean;
  json: boolean;
  values: Record<string, string | undefined>;
  /** The benchmark's own on/off options (`flags`), true when given. */
  flags: Record<string, boolean>;
}

/** `--quick` (a short run), `--json` (figures as JSON instead of a table), plus the benchmark's own options and flags. */
export function benchArgs(options: Record<string, { default?: string }>, flags: readonly string[] = []): BenchArgs {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      ...Object.fromEntries(flags.map((name) => [name, { type: "boolean" as const, default: false }])),
      ...Object.fromEntries(Object.entries(options).map(([name, o]) => [name, { type: "string" as const, ...(o.default !== undefined ? { default: o.default } : {}) }])),
    },
  });
  const { quick, json, ...rest } = values as Record<string, string | boolean | undefined>;
  const own = Object.fromEntries(Object.entries(rest).filter(([name]) => !flags.includes(name))) as Record<string, string | undefined>;
  return { quick: quick === true, json: json === true, values: own, flags: Object.fromEntries(flags.map((name) => [name, rest[name] === true])) };
}

/** What the machine is, for the record. */
export async function machine(): Promise<Record<string, string | number>> {
  const os = await import("node:os");
  return {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.cpus().length,
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    kernel: os.release(),
    node: process.version,
    loadavg1: Number(os.loadavg()[0]!.toFixed(2)),
  };
}
