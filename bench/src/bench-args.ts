import { parseArgs } from "node:util";

export interface BenchArgs {
  quick: boolean;
  json: boolean;
  values: Record<string, string | undefined>;
}

/** `--quick` (a short run), `--json` (figures as JSON instead of a table), plus the benchmark's own options. */
export function benchArgs(options: Record<string, { default?: string }>): BenchArgs {
  const { values } = parseArgs({
    options: {
      quick: { type: "boolean", default: false },
      json: { type: "boolean", default: false },
      ...Object.fromEntries(Object.entries(options).map(([name, o]) => [name, { type: "string" as const, ...(o.default !== undefined ? { default: o.default } : {}) }])),
    },
  });
  const { quick, json, ...rest } = values as Record<string, string | boolean | undefined>;
  return { quick: quick === true, json: json === true, values: rest as Record<string, string | undefined> };
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
