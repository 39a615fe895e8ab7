#!/usr/bin/env node
import { rmSync } from "node:fs";
import { createInterface } from "node:readline";
import { removeLabUser } from "../lab-user.js";
import { run } from "../run-command.js";
import type { ReaperNote } from "./reaper-note.js";

/**
 * The demo's watchdog: a separate process, in its own process group, that outlives the demo.
 * The demo tells it on stdin, one JSON line each, every process group it starts, every path it
 * creates and the system user it created. When the demo finishes its own clean-up it says
 * `done`; if stdin closes without that — the demo crashed or was killed, even with SIGKILL —
 * the reaper stops those process groups, removes those paths and that user.
 */
const groups = new Set<number>();
const paths = new Set<string>();
let user: string | undefined;
let done = false;

// Ctrl-C and a closing terminal are the demo's to handle; the reaper only watches its stdin.
for (const signal of ["SIGINT", "SIGTERM", "SIGHUP"] as const) process.on(signal, () => {});

const alive = (group: number): boolean => {
  try {
    process.kill(-group, 0);
    return true;
  } catch {
    return false;
  }
};

const signalAll = (signal: NodeJS.Signals): void => {
  for (const group of groups) {
    try {
      process.kill(-group, signal);
    } catch {}
  }
};

async function reap(): Promise<void> {
  signalAll("SIGTERM");
  const deadline = Date.now() + 3_000;
  while ([...groups].some(alive) && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  signalAll("SIGKILL");
  for (const path of paths) rmSync(path, { recursive: true, force: true });
  // userdel refuses while a process of the user still runs (a session sshd is winding down).
  for (let attempt = 0; user && attempt < 20; attempt++) {
    await removeLabUser({ name: user, created: true });
    if (!(await userExists(user))) break;
    await new Promise((r) => setTimeout(r, 250));
  }
}

async function userExists(name: string): Promise<boolean> {
  return (await run("id", ["-u", name])).code === 0;
}

createInterface({ input: process.stdin })
  .on("line", (line) => {
    const note = JSON.parse(line) as ReaperNote;
    if ("group" in note) groups.add(note.group);
    else if ("path" in note) paths.add(note.path);
    else if ("user" in note) user = note.user;
    else if ("done" in note) done = true;
  })
  .on("close", () => {
    if (done) process.exit(0);
    void reap().finally(() => process.exit(0));
  });
