import { spawn, type ChildProcess } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { Spawner } from "../spawner.js";
import type { ReaperNote } from "./reaper-note.js";

const REAPER = fileURLToPath(new URL("./reaper.js", import.meta.url));

/** How long one clean-up step may take before the next one runs anyway. */
const STEP_LIMIT_MS = 15_000;

const groupAlive = (group: number): boolean => {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
};

/**
 * Everything the demo starts goes through here, so that everything stops:
 * - each program runs in its own process group (a program's children die with it);
 * - clean-up steps run in reverse order of registration, once, on the way out, on Ctrl-C,
 *   SIGTERM, SIGHUP or an unexpected exception;
 * - a separate reaper process is told every group, path and user, and removes them if the demo
 *   dies without cleaning up (killed with SIGKILL, say).
 */
export class Supervisor {
  private readonly groups = new Set<number>();
  private readonly paths = new Set<string>();
  private user: string | undefined;
  private readonly steps: { what: string; run: () => Promise<unknown> }[] = [];
  private cleaning: Promise<void> | undefined;
  /** The signal that is stopping the demo, if one is: what fails after it is no news. */
  stoppingOn: NodeJS.Signals | undefined;

  private constructor(
    private readonly reaper: ChildProcess,
    private readonly say: (text: string) => void,
  ) {}

  /** `say` tells the user when the demo stops on a signal and when everything is gone. */
  static start(say: (text: string) => void): Supervisor {
    // `--for PID` only says, in ps, whose reaper it is.
    const reaper = spawn(process.execPath, [REAPER, "--for", String(process.pid)], { detached: true, stdio: ["pipe", "ignore", "ignore"] });
    reaper.unref();
    reaper.stdin!.on("error", () => {});
    return new Supervisor(reaper, say);
  }

  private tell(note: ReaperNote): void {
    this.reaper.stdin!.write(`${JSON.stringify(note)}\n`);
  }

  /** `spawn`, with the child in its own process group that the demo and the reaper will kill. */
  readonly spawn: Spawner = (file, args, options) => {
    // Nothing new may start once clean-up has begun: it would outlive the demo.
    if (this.cleaning) throw new Error("the demo is stopping");
    const child = spawn(file, args, { ...options, detached: true });
    if (child.pid !== undefined) {
      this.groups.add(child.pid);
      this.tell({ group: child.pid });
    }
    return child;
  };

  /** A file or directory to remove at the end. */
  ownPath(path: string): void {
    this.paths.add(path);
    this.tell({ path });
  }

  /** A system user this demo created, to delete at the end. */
  ownUser(name: string): void {
    this.user = name;
    this.tell({ user: name });
  }

  /** A clean-up step; steps run last-registered first. */
  atCleanup(what: string, run: () => Promise<unknown>): void {
    this.steps.push({ what, run });
  }

  /** Runs every clean-up step once; later calls wait for the first. */
  cleanup(): Promise<void> {
    this.cleaning ??= this.runCleanup();
    return this.cleaning;
  }

  private async runCleanup(): Promise<void> {
    for (const step of this.steps.reverse()) {
      let timer: NodeJS.Timeout | undefined;
      const limit = new Promise<void>((resolve) => (timer = setTimeout(resolve, STEP_LIMIT_MS)));
      try {
        await Promise.race([step.run(), limit]);
      } catch (error) {
        console.error(`demo: could not ${step.what}: ${(error as Error).message}`);
      } finally {
        clearTimeout(timer);
      }
    }
    // Whatever a step left behind in a group it owned goes now.
    for (const group of this.groups) {
      try {
        process.kill(-group, "SIGKILL");
      } catch {}
    }
    const deadline = Date.now() + 5_000;
    while ([...this.groups].some(groupAlive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 25));
    for (const path of this.paths) rmSync(path, { recursive: true, force: true });
    this.tell({ done: true });
    this.reaper.stdin!.end();
    const removed = [...this.paths, ...(this.user ? [`the user ${this.user} it created`] : [])];
    this.say(`Stopped everything the demo started (${this.groups.size} process groups) and removed ${removed.join(", ")}.`);
  }

  /**
   * Ctrl-C, SIGTERM and SIGHUP clean up and exit (130, 143, 129). A second one while cleaning
   * up exits at once and leaves the rest to the reaper. An uncaught exception cleans up and
   * exits 1.
   */
  exitCleanlyOnSignals(): void {
    const numbers = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 } as const;
    for (const signal of Object.keys(numbers) as (keyof typeof numbers)[]) {
      process.on(signal, () => {
        if (this.cleaning) {
          this.say(`${signal} during clean-up: exiting now; the reaper stops and removes the rest.`);
          process.exit(128 + numbers[signal]);
        }
        this.stoppingOn = signal;
        this.say(`${signal}: stopping everything the demo started…`);
        void this.cleanup().then(() => process.exit(128 + numbers[signal]));
      });
    }
    const crash = (error: unknown) => {
      console.error(`demo: unexpected error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      void this.cleanup().then(() => process.exit(1));
    };
    process.on("uncaughtException", crash);
    process.on("unhandledRejection", crash);
  }
}
