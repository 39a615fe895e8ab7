import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { waitFor } from "./wait-for.js";

export type AppName = "scheduler" | "worker" | "notifier" | "dashboard";

export const appEntry = (app: AppName): string => fileURLToPath(new URL(`../../../apps/${app}/dist/main.js`, import.meta.url));

/** The address an app logged it serves HTTP on ("HTTP listening on …"), if it did yet. */
export function loggedHttpAddress(log: string): string | undefined {
  for (const line of log.split("\n")) {
    if (!line.includes("HTTP listening on")) continue;
    try {
      return (JSON.parse(line) as { address?: string }).address;
    } catch {}
  }
  return undefined;
}

/**
 * A pipeline app run as its own process, as an operator would run it; logs go to a file.
 * HTTP on a free port (HTTP_PORT=0) unless `env` says otherwise, so tests and replicas never
 * collide on the default ports.
 */
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
      env: { ...process.env, LOG_LEVEL: "debug", HTTP_PORT: "0", ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    this.child.stdout!.pipe(log);
    this.child.stderr!.pipe(log);
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
  }

  /** Its HTTP base URL, e.g. http://127.0.0.1:41234, once it has logged it. */
  httpUrl(timeoutMs = 90_000): Promise<string> {
    const address = () => {
      try {
        return loggedHttpAddress(readFileSync(this.logFile, "utf8"));
      } catch {
        return undefined;
      }
    };
    return waitFor(`${this.app} to serve HTTP`, address, timeoutMs);
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
