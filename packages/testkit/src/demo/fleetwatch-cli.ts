import { spawn } from "node:child_process";
import { fileURLToPath } from "node:url";
import type { Timeline } from "./timeline.js";

const CLI = fileURLToPath(new URL("../../../../apps/cli/dist/bin.js", import.meta.url));

/** An argument as a shell would need it typed. */
const quote = (arg: string) => (/^[A-Za-z0-9_./:=@%+,-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, "'\\''")}'`);

/** A `fleetwatch …` command line as a user would type it, with the environment it needs in front. */
export const commandLine = (args: readonly string[], env: Record<string, string> = {}): string =>
  [...Object.entries(env).map(([k, v]) => `${k}=${quote(v)}`), "fleetwatch", ...args.map(quote)].join(" ");

/**
 * Runs the real `fleetwatch` command as a user would (its own process), printing the command
 * line and then its output under it. Returns its exit code and what it printed.
 */
export function runFleetwatch(
  timeline: Timeline,
  args: readonly string[],
  env: Record<string, string> = {},
  /** Environment it needs that is not worth showing on the command line (already exported). */
  exported: Record<string, string> = {},
): Promise<{ code: number; stdout: string }> {
  timeline.command(commandLine(args, env));
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [CLI, ...args], { env: { ...process.env, ...exported, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    let stdout = "";
    let output = "";
    child.stdout.setEncoding("utf8").on("data", (chunk: string) => {
      stdout += chunk;
      output += chunk;
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => (output += chunk));
    child.on("close", (code) => {
      if (output.trim()) timeline.detail(output);
      resolve({ code: code ?? 1, stdout });
    });
  });
}
