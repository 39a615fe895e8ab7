import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findTool } from "./openssh-tools.js";

/**
 * How a lab host misbehaves, set per address with sshd's `Match LocalAddress`:
 * - `healthy`: runs what it is asked to.
 * - `logged`: records every command it is asked to run, then runs it (to count runs, or to
 *   prove that nothing ran).
 * - `hang`: never finishes the command.
 * - `garbage`: prints noise and exits 127, like a shell that is not sh.
 * - `busybox`: runs the command under BusyBox sh with only BusyBox applets on PATH.
 * - `deny-key`: no authorized keys at all.
 */
export type HostBehaviour = "healthy" | "logged" | "hang" | "garbage" | "busybox" | "deny-key";

export const BUSYBOX_APPLETS = ["sh", "cat", "sleep", "df", "sed", "grep", "printf", "uname", "echo", "tr", "head", "awk", "ls"];

/** How long a `hang` host sleeps: a number unique to the lab, so its close can find the sleepers. */
export const hangSeconds = (labId: number) => `3600.${labId}`;

/** Writes the ForceCommand wrappers into `dir/bin`; returns the config lines per behaviour. */
export function writeBehaviourScripts(dir: string, needsBusybox: boolean, labId: number): Record<HostBehaviour, string[]> {
  const bin = join(dir, "bin");
  const logs = join(dir, "command-logs");
  mkdirSync(bin, { recursive: true, mode: 0o755 });
  mkdirSync(logs, { recursive: true });
  chmodSync(logs, 0o1777);
  const script = (name: string, body: string) => {
    const path = join(bin, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`, { mode: 0o755 });
    return path;
  };
  let busyboxLines: string[] = [];
  if (needsBusybox) {
    const busybox = findTool("busybox", "busybox");
    const applets = join(dir, "busybox-bin");
    mkdirSync(applets, { recursive: true, mode: 0o755 });
    for (const applet of BUSYBOX_APPLETS) symlinkSync(busybox, join(applets, applet));
    busyboxLines = [`ForceCommand ${script("busybox", `PATH=${applets}; export PATH\nexec ${applets}/sh -c "$SSH_ORIGINAL_COMMAND"`)}`];
  }
  return {
    healthy: [],
    logged: [
      `ForceCommand ${script("logged", `set -- $SSH_CONNECTION\necho "$(date +%s) $SSH_ORIGINAL_COMMAND" >> ${logs}/$3.log\nexec /bin/sh -c "$SSH_ORIGINAL_COMMAND"`)}`,
    ],
    hang: [`ForceCommand ${script("hang", `exec sleep ${hangSeconds(labId)}`)}`],
    garbage: [`ForceCommand ${script("garbage", 'echo "fish: Unknown command: sh"\necho "garbage \\033[31m\\001" >&2\nexit 127')}`],
    busybox: busyboxLines,
    "deny-key": ["AuthorizedKeysFile /dev/null"],
  };
}

/** Where the `logged` behaviour writes the commands a host was asked to run. */
export const commandLogPath = (dir: string, address: string) => join(dir, "command-logs", `${address}.log`);
