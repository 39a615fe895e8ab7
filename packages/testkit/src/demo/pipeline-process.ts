import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Supervisor } from "./supervisor.js";

const PIPELINE_RUNNER = fileURLToPath(new URL("../../../../apps/cli/dist/pipeline-runner.js", import.meta.url));

export interface RunningPipeline {
  /** Where its JSON log lines go. */
  log: string;
  /** How it exited (`1`, `SIGKILL`) once it has — it should not, until the demo stops it. */
  exit(): string | undefined;
}

/**
 * `fleetwatch-pipeline --config FILE`, as an operator starts it: the scheduler, a worker and
 * the notifier, their logs in `dir/pipeline.log`. Stopped with one SIGTERM at clean-up, which
 * it passes on to its three apps for a graceful stop.
 */
export function startPipeline(fleetFile: string, env: Record<string, string>, dir: string, supervisor: Supervisor): RunningPipeline {
  const log = join(dir, "pipeline.log");
  const out = createWriteStream(log);
  const child = supervisor.spawn(process.execPath, [PIPELINE_RUNNER, "--config", fleetFile], {
    env: { ...process.env, ...env },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  let exit: string | undefined;
  const exited = new Promise<void>((resolve) =>
    child.once("exit", (code, signal) => {
      exit = String(code ?? signal);
      resolve();
    }),
  );
  supervisor.atCleanup("stop fleetwatch-pipeline", async () => {
    if (exit === undefined) child.kill("SIGTERM");
    await exited;
  });
  return { log, exit: () => exit };
}
