import { spawn } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { PROBE_SCRIPT, probeArguments } from "@fleetwatch/core";
import { benchArgs, machine } from "./bench-args.js";
import { CpuacctGroup } from "./cpuacct-group.js";
import { fixed, median, printTable } from "./print-table.js";

/** The probe as main had it before the pipeline's counters (probe v2 of 29 November 2026): the baseline. */
const BEFORE = fileURLToPath(new URL("../fixtures/probe-before.sh", import.meta.url));

/** The probe as each caller runs it, and the baseline. */
const VARIANTS = [
  { name: "before", label: "before: short CPU sample, a stat per comm, all of meminfo", args: [], script: BEFORE },
  { name: "sample", label: "`fleetwatch check`: short CPU sample (sleep 0.5), process names read", args: probeArguments("auto", ["sshd"], "sample") },
  { name: "counters", label: "pipeline: CPU counters, no pause, process names read", args: probeArguments("auto", ["sshd"], "counters") },
  { name: "counters-no-names", label: "pipeline, no process watched (no names read)", args: probeArguments("auto", [], "counters") },
] as const;

/** Runs the probe `runs` times in a cpuacct group of its own; CPU ms per run (the shell's forks included). */
async function measure(probe: string, args: readonly string[], runs: number): Promise<number> {
  const group = CpuacctGroup.create("fleetwatch-bench-probe");
  try {
    // The shell puts itself in the group before it starts the first probe.
    const loop = `echo $$ > ${group.path}/cgroup.procs; i=0; while [ $i -lt ${runs} ]; do sh -s -- ${args.join(" ")} < ${probe} > /dev/null; i=$((i+1)); done`;
    await new Promise<void>((resolve, reject) => {
      const child = spawn("sh", ["-c", loop], { stdio: ["ignore", "ignore", "inherit"] });
      child.on("error", reject);
      child.on("close", (code) => (code === 0 ? resolve() : reject(new Error(`probe loop exited ${code}`))));
    });
    return group.usageMs() / runs;
  } finally {
    group.remove();
  }
}

const processCount = () => readdirSync("/proc").filter((name) => /^\d+$/.test(name)).length;

/**
 * `npm run bench:probe [-- --quick] [-- --json]`: what one run of the probe costs this host's
 * CPU, as `fleetwatch check` runs it and as the pipeline does, with and without process
 * names, measured in a cpuacct group; variants alternate, rounds rotate the order.
 */
async function main(): Promise<void> {
  const args = benchArgs({ runs: {}, rounds: {} });
  const runs = Number(args.values.runs ?? (args.quick ? 10 : 40));
  const rounds = Number(args.values.rounds ?? (args.quick ? 2 : 5));
  const dir = mkdtempSync(join(tmpdir(), "fleetwatch-probe-cost-"));
  const probe = join(dir, "probe.sh");
  writeFileSync(probe, PROBE_SCRIPT);
  const samples = new Map<string, number[]>(VARIANTS.map((v) => [v.name, []]));
  const processes: number[] = [];
  try {
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < VARIANTS.length; i++) {
        const variant = VARIANTS[(i + round) % VARIANTS.length]!;
        processes.push(processCount());
        samples.get(variant.name)!.push(await measure("script" in variant ? variant.script : probe, variant.args, runs));
      }
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const summary = VARIANTS.map((v) => ({
    variant: v.name,
    label: v.label,
    args: v.args.join(" "),
    medianMs: median(samples.get(v.name)!),
    minMs: Math.min(...samples.get(v.name)!),
    samples: samples.get(v.name)!,
  }));
  const procs = median(processes);
  if (args.json) {
    console.log(JSON.stringify({ benchmark: "probe-cost", runs, rounds, processesOnHost: procs, machine: await machine(), summary }, null, 2));
    return;
  }
  console.log(`\nThe probe's CPU on this host per run (sh and everything it spawns), ${runs} runs × ${rounds} alternating rounds, ≈ ${procs} processes on the host\n`);
  printTable(summary, [
    { heading: "probe as run by", value: (r) => r.label, right: false },
    { heading: "arguments", value: (r) => r.args, right: false },
    { heading: "median ms", value: (r) => fixed(r.medianMs, 2) },
    { heading: "min ms", value: (r) => fixed(r.minMs, 2) },
  ]);
  console.log(`machine: ${JSON.stringify(await machine())}`);
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
