import { fork, type ChildProcess } from "node:child_process";
import { fileURLToPath } from "node:url";
import { Lab } from "@fleetwatch/testkit";
import { benchArgs, machine } from "./bench-args.js";
import { CpuacctGroup } from "./cpuacct-group.js";
import type { RunnerSetup, SweepMode, SweepOutcome } from "./lab-sweep-runner.js";
import { fixed, median, printTable } from "./print-table.js";

const RUNNER = fileURLToPath(new URL("./lab-sweep-runner.js", import.meta.url));
const MODES: SweepMode[] = ["openssh-fresh", "openssh-controlmaster", "fleetwatch-fresh", "fleetwatch-reused", "fleetwatch-pipeline"];
const LABELS: Record<SweepMode, string> = {
  "openssh-fresh": "OpenSSH xargs -P, curve25519, fresh",
  "openssh-controlmaster": "OpenSSH ControlMaster, warm",
  "fleetwatch-fresh": "fleetwatch, fresh connection per check",
  "fleetwatch-reused": "fleetwatch, kept connection (worker pool)",
  "fleetwatch-pipeline": "fleetwatch pipeline probe (no pause), kept connection",
};

interface Run {
  mode: SweepMode;
  round: number;
  sweepS: number;
  monitorMsPerCheck: number;
  hostMsPerCheck: number;
  hostProcesses: number;
  ok: number;
  total: number;
}

function ask(child: ChildProcess, message: unknown, answer: string): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const onMessage = (m: Record<string, unknown>) => {
      if (m.type === answer) {
        child.off("message", onMessage);
        resolve(m);
      } else if (m.type === "error") {
        child.off("message", onMessage);
        reject(new Error(String(m.message)));
      }
    };
    child.on("message", onMessage);
    child.send(message as never);
  });
}

/**
 * `npm run bench:lab [-- --quick] [-- --json]`: the same light probe over real OpenSSH sshd
 * lab hosts, swept by OpenSSH (fresh and ControlMaster) and by fleetwatch (fresh and kept
 * connections), and the pipeline's probe (CPU counters, no pause) over kept connections on a
 * row of its own, in alternating rounds so drift on a shared machine cancels out. CPU is
 * counted exactly in two cgroups: the lab's sshd processes and their sessions (the host
 * side), and the sweeping process with its children (the monitor side).
 */
async function main(): Promise<void> {
  const args = benchArgs({ hosts: {}, concurrency: {}, rounds: {} });
  const count = Number(args.values.hosts ?? (args.quick ? 30 : 200));
  const concurrency = Number(args.values.concurrency ?? (args.quick ? 15 : 50));
  const rounds = Number(args.values.rounds ?? (args.quick ? 1 : 3));
  const log = (line: string) => (args.json ? process.stderr : process.stdout).write(`${line}\n`);

  const hostGroup = CpuacctGroup.create("fleetwatch-bench-hosts");
  const monitorGroup = CpuacctGroup.create("fleetwatch-bench-monitor");
  const lab = await Lab.create();
  const runs: Run[] = [];
  try {
    const hosts = await lab.startHosts({ count });
    for (const pid of lab.sshdPids()) hostGroup.add(pid);
    const knownHosts = await lab.writeKnownHosts("known_hosts", hosts);
    log(`lab: ${count} hosts on ${lab.sshdPids().length} sshd processes (sshd as shipped: re-exec per login); concurrency ${concurrency}; ${rounds} round(s)`);
    for (let round = 0; round < rounds; round++) {
      // Rotate the order each round, so no mode always runs first or last.
      const order = MODES.map((_, i) => MODES[(i + round) % MODES.length]!);
      for (const mode of order) {
        const child = fork(RUNNER, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
        try {
          monitorGroup.add(child.pid!);
          const setup: RunnerSetup = { mode, hosts, user: lab.user.name, keyPath: lab.clientKey.privatePath, knownHosts, concurrency, dir: lab.dir };
          await ask(child, { type: "setup", setup }, "ready");
          await ask(child, { type: "prepare" }, "prepared");
          const host0 = hostGroup.usageMs();
          const monitor0 = monitorGroup.usageMs();
          const { outcome } = (await ask(child, { type: "go" }, "done")) as { outcome: SweepOutcome };
          const hostMs = hostGroup.usageMs() - host0;
          const monitorMs = monitorGroup.usageMs() - monitor0;
          const run: Run = {
            mode,
            round,
            sweepS: outcome.wallMs / 1000,
            monitorMsPerCheck: monitorMs / count,
            hostMsPerCheck: hostMs / count,
            hostProcesses: hostGroup.pids().length,
            ok: outcome.ok,
            total: outcome.total,
          };
          runs.push(run);
          log(`  round ${round + 1} ${mode.padEnd(22)} sweep ${fixed(run.sweepS, 2)} s, monitor ${fixed(run.monitorMsPerCheck)} ms/check, host ${fixed(run.hostMsPerCheck)} ms/check, ${run.ok}/${run.total} ok`);
        } finally {
          child.send({ type: "stop" });
          await new Promise((r) => child.once("exit", r));
          // ControlMaster processes outlive their runner; end them (they are this benchmark's).
          for (const pid of monitorGroup.pids()) {
            try {
              process.kill(pid, "SIGTERM");
            } catch {}
          }
          // The sessions of kept connections end with them.
          await new Promise((r) => setTimeout(r, 500));
        }
      }
    }
  } finally {
    // The lab user stays: tests running at the same time may log in as it.
    await lab.close();
    hostGroup.remove();
    monitorGroup.remove();
  }

  const summary = MODES.map((mode) => {
    const mine = runs.filter((r) => r.mode === mode);
    const pick = (f: (r: Run) => number) => median(mine.map(f));
    return {
      mode,
      label: LABELS[mode],
      sweepS: pick((r) => r.sweepS),
      monitorMsPerCheck: pick((r) => r.monitorMsPerCheck),
      hostMsPerCheck: pick((r) => r.hostMsPerCheck),
      monitorMinMs: Math.min(...mine.map((r) => r.monitorMsPerCheck)),
      hostMinMs: Math.min(...mine.map((r) => r.hostMsPerCheck)),
      wholeMsPerCheck: pick((r) => r.monitorMsPerCheck + r.hostMsPerCheck),
      hostProcesses: pick((r) => r.hostProcesses),
      ok: mine.reduce((a, r) => a + r.ok, 0),
      total: mine.reduce((a, r) => a + r.total, 0),
    };
  });
  if (args.json) {
    console.log(JSON.stringify({ benchmark: "lab-sweep", hosts: count, concurrency, rounds, machine: await machine(), summary, runs }, null, 2));
    return;
  }
  console.log(`\n${count} lab hosts, concurrency ${concurrency}, median (min) of ${rounds} alternating round(s); one light /proc probe (the same text for every row; the pipeline row runs it with -c: counters, no pause)\n`);
  printTable(summary, [
    { heading: "sweep by", value: (r) => r.label, right: false },
    { heading: "sweep s", value: (r) => fixed(r.sweepS, 2), right: true },
    { heading: "monitor CPU ms/check (min)", value: (r) => `${fixed(r.monitorMsPerCheck)} (${fixed(r.monitorMinMs)})`, right: true },
    { heading: "host-side CPU ms/check (min)", value: (r) => `${fixed(r.hostMsPerCheck)} (${fixed(r.hostMinMs)})`, right: true },
    { heading: "both ms/check", value: (r) => fixed(r.wholeMsPerCheck), right: true },
    { heading: "host-side processes", value: (r) => r.hostProcesses, right: true },
    { heading: "ok", value: (r) => `${r.ok}/${r.total}`, right: true },
  ]);
  const fresh = summary.find((s) => s.mode === "fleetwatch-fresh")!;
  const reused = summary.find((s) => s.mode === "fleetwatch-reused")!;
  const master = summary.find((s) => s.mode === "openssh-controlmaster")!;
  const pipeline = summary.find((s) => s.mode === "fleetwatch-pipeline")!;
  // The same ratio within each round too: the rows of one round ran minutes apart at most.
  const perRound = (a: SweepMode, b: SweepMode, f: (r: Run) => number) =>
    Array.from({ length: rounds }, (_, round) => {
      const x = runs.find((r) => r.round === round && r.mode === a);
      const y = runs.find((r) => r.round === round && r.mode === b);
      return x && y ? fixed(f(x) / f(y), 2) : "–";
    }).join(", ");
  const host = (r: Run) => r.hostMsPerCheck;
  const both = (r: Run) => r.hostMsPerCheck + r.monitorMsPerCheck;
  console.log(`\nratios of the medians (each round's own in brackets):`);
  console.log(`reused vs fresh, host side, same probe: ${fixed(reused.hostMsPerCheck / fresh.hostMsPerCheck, 2)} [${perRound("fleetwatch-reused", "fleetwatch-fresh", host)}] (goal ≤ 0.33)`);
  console.log(`pipeline probe reused vs fresh, host side: ${fixed(pipeline.hostMsPerCheck / fresh.hostMsPerCheck, 2)} [${perRound("fleetwatch-pipeline", "fleetwatch-fresh", host)}]`);
  console.log(`reused vs ControlMaster, both sides, same probe: ${fixed(reused.wholeMsPerCheck / master.wholeMsPerCheck, 2)} [${perRound("fleetwatch-reused", "openssh-controlmaster", both)}]`);
  console.log(`pipeline probe reused vs ControlMaster, both sides: ${fixed(pipeline.wholeMsPerCheck / master.wholeMsPerCheck, 2)} [${perRound("fleetwatch-pipeline", "openssh-controlmaster", both)}] (goal ≤ 0.5)`);
  console.log(`fleetwatch reused, monitor side (SSH part only; the worker's whole cost is bench:fleet's): ${fixed(pipeline.monitorMsPerCheck, 2)} ms/check`);
  console.log(`machine: ${JSON.stringify(await machine())} — a shared machine: compare rows of one run, not absolutes`);
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
