#!/usr/bin/env node
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { parseAppArgs } from "@fleetwatch/core";

/**
 * `npm run pipeline -- --config FILE`: the scheduler, a worker and the notifier in the
 * foreground, their JSON logs interleaved on stdout. Ctrl-C (or SIGTERM) stops all three
 * cleanly; if one dies, the others are stopped too.
 */
const args = parseAppArgs("fleetwatch-pipeline", process.argv.slice(2));
if (!args.ok) {
  process.stderr.write(`${args.error}\n`);
  process.exit(2);
}
const require = createRequire(import.meta.url);
const apps = ["scheduler", "worker", "notifier"].map((app) => {
  const entry = require.resolve(`@fleetwatch/${app}`);
  const child = spawn(process.execPath, [entry, "--config", args.value.config], { stdio: ["ignore", "inherit", "inherit"] });
  return { app, child };
});

let stopping = false;
const stopAll = (signal: NodeJS.Signals) => {
  if (stopping) return;
  stopping = true;
  for (const { child } of apps) if (child.exitCode === null) child.kill(signal);
};
process.on("SIGINT", () => stopAll("SIGTERM"));
process.on("SIGTERM", () => stopAll("SIGTERM"));
process.on("SIGHUP", () => apps.forEach(({ child }) => child.kill("SIGHUP")));

const exits = apps.map(
  ({ app, child }: { app: string; child: ChildProcess }) =>
    new Promise<number>((resolve) =>
      child.once("exit", (code) => {
        if (!stopping) process.stderr.write(`fleetwatch-pipeline: ${app} exited (${code}); stopping the others\n`);
        stopAll("SIGTERM");
        resolve(code ?? 1);
      }),
    ),
);
const codes = await Promise.all(exits);
process.exit(codes.every((c) => c === 0) ? 0 : 1);
