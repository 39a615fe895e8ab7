import { chmodSync, mkdirSync, symlinkSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { findTool, MissingToolError } from "./openssh-tools.js";

/**
 * How a lab host misbehaves, set per address with sshd's `Match LocalAddress`:
 * - `healthy`: runs what it is asked to.
 * - `logged`: records every command it is asked to run, then runs it (to count runs, or to
 *   prove that nothing ran).
 * - `hang`: never finishes the command.
 * - `garbage`: prints noise and exits 127, like a shell that is not sh.
 * - `busybox`: runs the command under BusyBox sh with only BusyBox applets on PATH.
 * - `deny-key`: no authorized keys at all.
 * - `bash-sh`: `sh` is bash (as on RHEL, Rocky, Amazon Linux, SUSE): a `sh` → bash link
 *   comes first on PATH, so `sh -s` runs bash in its POSIX mode.
 * - `container`: the command runs in its own mount namespace (`unshare -m`, inside a user
 *   namespace so the unprivileged lab user may) with a tmpfs on /sys/fs/cgroup holding the
 *   fake cgroup files `Lab.setContainerCgroup` wrote for that address, as a container sees
 *   its own memory limit.
 * - `flood`: prints 50 MB and exits 0, as a runaway command would.
 * - `partial-hang`: prints the start of an answer, then never finishes.
 * - `killed`: the command dies by SIGKILL, so the channel closes with no exit status (sshd
 *   sends only the signal).
 */
export type HostBehaviour = "healthy" | "logged" | "hang" | "garbage" | "busybox" | "deny-key" | "bash-sh" | "container" | "flood" | "partial-hang" | "killed";

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
  // A tool this machine lacks fails only the hosts that need it, saying what to install.
  const withTool = (name: string, packageName: string, body: (path: string) => string) => {
    try {
      return body(findTool(name, packageName));
    } catch (error) {
      if (!(error instanceof MissingToolError)) throw error;
      return `echo ${JSON.stringify(`lab host: ${error.message}`)} >&2\nexit 127`;
    }
  };
  const bashSh = join(dir, "bash-sh-bin");
  mkdirSync(bashSh, { recursive: true, mode: 0o755 });
  const bashAsSh = withTool("bash", "bash", (bash) => {
    symlinkSync(bash, join(bashSh, "sh"));
    return `PATH=${bashSh}:$PATH; export PATH\nexec /bin/sh -c "$SSH_ORIGINAL_COMMAND"`;
  });
  const inContainer = withTool("unshare", "util-linux", (unshare) =>
    [
      "set -- $SSH_CONNECTION",
      `fake=${join(dir, "cgroup-fake")}/$3`,
      `exec ${unshare} --user --map-root-user --mount /bin/sh -c 'mount -t tmpfs fleetwatch-cgroup /sys/fs/cgroup && cp -R "$1"/. /sys/fs/cgroup/ && exec /bin/sh -c "$2"' container "$fake" "$SSH_ORIGINAL_COMMAND"`,
    ].join("\n"),
  );
  return {
    healthy: [],
    "bash-sh": [`ForceCommand ${script("bash-sh", bashAsSh)}`],
    container: [`ForceCommand ${script("container", inContainer)}`],
    logged: [
      `ForceCommand ${script("logged", `set -- $SSH_CONNECTION\necho "$(date +%s) $SSH_ORIGINAL_COMMAND" >> ${logs}/$3.log\nexec /bin/sh -c "$SSH_ORIGINAL_COMMAND"`)}`,
    ],
    hang: [`ForceCommand ${script("hang", `exec sleep ${hangSeconds(labId)}`)}`],
    garbage: [`ForceCommand ${script("garbage", 'echo "fish: Unknown command: sh"\necho "garbage \\033[31m\\001" >&2\nexit 127')}`],
    busybox: busyboxLines,
    "deny-key": ["AuthorizedKeysFile /dev/null"],
    flood: [`ForceCommand ${script("flood", "exec head -c 52428800 /dev/zero")}`],
    "partial-hang": [`ForceCommand ${script("partial-hang", `printf '=== fleetwatch probe\\nhostname=half\\n'\nexec sleep ${hangSeconds(labId)}`)}`],
    killed: [`ForceCommand ${script("killed", "kill -KILL $$")}`],
  };
}

/** Where the `logged` behaviour writes the commands a host was asked to run. */
export const commandLogPath = (dir: string, address: string) => join(dir, "command-logs", `${address}.log`);

/** Where `Lab.setContainerCgroup` keeps the fake cgroup files a `container` host mounts. */
export const containerCgroupDir = (dir: string, address: string) => join(dir, "cgroup-fake", address);
