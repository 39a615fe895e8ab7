#!/usr/bin/env node
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";
import { isAppInfoRequest, parseAppArgs } from "@fleetwatch/core";

/**
 * `fleetwatch-pipeline --config FILE`: the scheduler, a worker and the notifier in the
 * foreground, their logs interleaved on stderr, each on its own default HTTP port.
 *
 * Signals: the children run in their own process groups, so a Ctrl-C in the terminal
 * reaches only this runner, which passes one SIGTERM to each (a calm stop); a second Ctrl-C
 * is passed on as a second signal (exit at once). If one child dies, the others are stopped;
 * if this runner dies, its children notice (IPC channel closed) and stop.
 */
const app = "fleetwatch-pipeline";
const args = parseAppArgs(app, process.argv.slice(2));
if (!args.ok) {
  process.stderr.write(`${args.error}\n`);
  process.exit(2);
}
if (isAppInfoRequest(args.value)) {
  process.stdout.write(args.value.print);
  process.exit(0);
}
const config = args.value.config;

/** HTTP_PORT `off` or `0` applies to all three; a fixed port cannot, so each keeps its own default. */
const childEnv: NodeJS.ProcessEnv = { ...process.env };
const port = process.env.HTTP_PORT?.trim().toLowerCase();
if (port !== undefined && port !== "" && port !== "off" && port !== "0") {
  process.stderr.write(`${app}: HTTP_PORT=${port} ignored: the scheduler, worker and notifier take 9401, 9402 and 9403 (HTTP_PORT=0 or off apply to all)\n`);
  delete childEnv.HTTP_PORT;
}

const require = createRequire(import.meta.url);
const apps = ["scheduler", "worker", "notifier"].map((name) => {
  const entry = require.resolve(`@fleetwatch/${name}`);
  const child = spawn(process.execPath, [entry, "--config", config], { stdio: ["ignore", "inherit", "inherit", "ipc"], detached: true, env: childEnv });
  return { name, child };
});

let signalsSeen = 0;
const forward = (signal: NodeJS.Signals) => {
  for (const { child } of apps) if (child.exitCode === null && child.signalCode === null) child.kill(signal);
};
let stopping = false;
const stopAll = () => {
  if (stopping) return;
  stopping = true;
  forward("SIGTERM");
};
const onStopSignal = () => {
  signalsSeen += 1;
  if (signalsSeen === 1) stopAll();
  else forward("SIGINT");
};
process.on("SIGINT", onStopSignal);
process.on("SIGTERM", onStopSignal);
process.on("SIGHUP", () => forward("SIGHUP"));

const exits = apps.map(
  ({ name, child }: { name: string; child: ChildProcess }) =>
    new Promise<number>((resolve) =>
      child.once("exit", (code, signal) => {
        if (!stopping) process.stderr.write(`${app}: ${name} exited (${code ?? signal}); stopping the others\n`);
        stopAll();
        resolve(code ?? 1);
      }),
    ),
);
const codes = await Promise.all(exits);
process.exit(codes.every((c) => c === 0) ? 0 : 1);
