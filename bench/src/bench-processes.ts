import { spawn, type ChildProcess } from "node:child_process";
import { openSync } from "node:fs";
import type { Redis } from "ioredis";
import { appEntry } from "@fleetwatch/testkit";

/** A pipeline app as its own process, output to a log file; node flags before the entry. */
export function startApp(app: "scheduler" | "worker" | "notifier", config: string, env: Record<string, string>, logFile: string, nodeFlags: string[] = []): ChildProcess {
  const out = openSync(logFile, "a");
  return spawn(process.execPath, [...nodeFlags, appEntry(app), "--config", config], { env: { ...process.env, ...env }, stdio: ["ignore", out, out] });
}

/** SIGTERM, then SIGKILL after 15 s. */
export async function stopApp(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  await new Promise<void>((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGTERM");
    setTimeout(() => child.kill("SIGKILL"), 15_000).unref();
  });
}

/** Redis's memory in use and commands processed so far (scripts' inner calls included). */
export async function redisInfo(redis: Redis): Promise<{ usedMemory: number; commands: number }> {
  const info = await redis.info();
  const field = (name: string) => Number(new RegExp(`^${name}:(\\d+)`, "m").exec(info)?.[1] ?? NaN);
  return { usedMemory: field("used_memory"), commands: field("total_commands_processed") };
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
