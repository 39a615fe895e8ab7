#!/usr/bin/env node
import { spawn, type ChildProcess } from "node:child_process";
import { createRequire } from "node:module";

/**
 * `fleetwatch-pipeline --config FILE`: the scheduler, a worker and the notifier in the
 * foreground, their logs interleaved on stderr, each on its own default HTTP port.
 *
 * Signals: the children run in their own process groups, so a Ctrl-C in the terminal
 * reaches only this runner, which passes one SIGTERM to each (a calm stop); a second Ctrl-C
 * is passed on as a second signal (exit at once). A child hears a signal only once it says it
 * can stop calmly (until then it is held for it). If one child dies, the others are stopped;
 * if this runner dies, its children notice (IPC channel closed) and stop.
 */
const RUNNER = "fleetwatch-pipeline";

interface Child {
  name: string;
  child: ChildProcess;
  stoppable: boolean;
  held: NodeJS.Signals[];
}
const apps: Child[] = [];
let signalsSeen = 0;
let stopping = false;

const forward = (signal: NodeJS.Signals) => {
  for (const app of apps) {
    if (app.child.exitCode !== null || app.child.signalCode !== null) continue;
    if (app.stoppable) app.child.kill(signal);
    else app.held.push(signal);
  }
};
const stopAll = () => {
  if (stopping) return;
  stopping = true;
  forward("SIGTERM");
};
// Set before anything slow is loaded: a Ctrl-C at any moment is a calm stop.
const onStopSignal = () => {
  signalsSeen += 1;
  if (apps.length === 0) process.exit(0);
  if (signalsSeen === 1) stopAll();
  else forward("SIGINT");
};
process.on("SIGINT", onStopSignal);
process.on("SIGTERM", onStopSignal);
process.on("SIGHUP", () => forward("SIGHUP"));

const { appArgsOrExit } = await import("@fleetwatch/core");
const config = appArgsOrExit(RUNNER, process.argv.slice(2)).config;

/** HTTP_PORT `off` or `0` applies to all three; a fixed port cannot, so each keeps its own default. */
const childEnv: NodeJS.ProcessEnv = { ...process.env };
const port = process.env.HTTP_PORT?.trim().toLowerCase();
if (port !== undefined && port !== "" && port !== "off" && port !== "0") {
  process.stderr.write(`${RUNNER}: HTTP_PORT=${port} ignored: the scheduler, worker and notifier take 9401, 9402 and 9403 (HTTP_PORT=0 or off apply to all)\n`);
  delete childEnv.HTTP_PORT;
}

const require = createRequire(import.meta.url);
for (const name of ["scheduler", "worker", "notifier"]) {
  const entry = require.resolve(`@fleetwatch/${name}`);
  const child = spawn(process.execPath, [entry, "--config", config], { stdio: ["ignore", "inherit", "inherit", "ipc"], detached: true, env: childEnv });
  const app: Child = { name, child, stoppable: false, held: [] };
  child.on("message", (message: { fleetwatch?: string }) => {
    if (message?.fleetwatch !== "stoppable") return;
    app.stoppable = true;
    for (const signal of app.held.splice(0)) child.kill(signal);
  });
  apps.push(app);
}
if (signalsSeen > 0) stopAll();

const exits = apps.map(
  ({ name, child }) =>
    new Promise<number>((resolve) =>
      child.once("exit", (code, signal) => {
        if (!stopping) process.stderr.write(`${RUNNER}: ${name} exited (${code ?? signal}); stopping the others\n`);
        stopAll();
        resolve(code ?? 1);
      }),
    ),
);
const codes = await Promise.all(exits);
process.exit(codes.every((c) => c === 0) ? 0 : 1);
