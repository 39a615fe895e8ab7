import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream } from "node:fs";
import { fileURLToPath } from "node:url";

export type AppName = "scheduler" | "worker" | "notifier" | "dashboard";

export const appEntry = (app: AppName): string => fileURLToPath(new URL(`../../../apps/${app}/dist/main.js`, import.meta.url));

/** A pipeline app run as its own process, as an operator would run it; logs go to a file. */
export class AppProcess {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(
    readonly app: AppName,
    config: string,
    env: Record<string, string>,
    readonly logFile: string,
  ) {
    const log = createWriteStream(logFile, { flags: "a" });
    this.child = spawn(process.execPath, [appEntry(app), "--config", config], {
      env: { ...process.env, LOG_LEVEL: "debug", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout!.pipe(log);
    this.child.stderr!.pipe(log);
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  signal(signal: NodeJS.Signals): void {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill(signal);
  }

  async stop(): Promise<number | null> {
    this.signal("SIGTERM");
    const timer = setTimeout(() => this.signal("SIGKILL"), 10_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}
