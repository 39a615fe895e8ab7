import type { ChildProcess } from "node:child_process";
import { randomBytes } from "node:crypto";
import { copyFileSync, chmodSync } from "node:fs";
import { join } from "node:path";
import { plainSpawner, type Spawner } from "./spawner.js";

/**
 * A process name no other test run on this machine uses: `prefix` (up to 9 characters) and
 * 6 random hex digits, within the kernel's 15-character `comm`. Every lab host is this same
 * machine, so a fixed name would be seen by another suite running beside this one.
 */
export function uniqueProcessName(prefix: string): string {
  if (prefix.length > 9) throw new Error(`process name prefix "${prefix}" is over 9 characters`);
  return `${prefix}${randomBytes(3).toString("hex")}`;
}

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
