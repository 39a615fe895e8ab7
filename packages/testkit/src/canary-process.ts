import type { ChildProcess } from "node:child_process";
import { copyFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { plainSpawner, type Spawner } from "./spawner.js";

/**
 * A process with a chosen name (its kernel `comm`) on this machine, which lab hosts are:
 * start it and a "required process" is running; stop it and it is missing.
 */
export class CanaryProcess {
  private child: ChildProcess | undefined;

  constructor(
    private readonly dir: string,
    readonly name: string,
    private readonly spawner: Spawner = plainSpawner,
  ) {}

  start(): void {
    const path = join(this.dir, this.name);
    copyFileSync("/bin/sleep", path);
    chmodSync(path, 0o755);
    this.child = this.spawner(path, ["100000"], { stdio: "ignore" });
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGKILL");
    });
  }
}
