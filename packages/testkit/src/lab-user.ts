import { userInfo } from "node:os";
import { findTool } from "./openssh-tools.js";
import { run, runOrThrow } from "./run-command.js";

/** The unprivileged account lab hosts log in as, when running as root. */
export const LAB_USER = "fleetwatch-lab";

export interface LabUser {
  name: string;
  /** True when this call created the account (the demo removes it again). */
  created: boolean;
}

/**
 * As root: a dedicated locked-for-passwords user that can log in with keys only
 * (`usermod -p '*'`; a `useradd` user is locked and sshd with UsePAM no refuses it).
 * As anyone else: the invoking user, since an unprivileged sshd can only log in as itself.
 */
export async function ensureLabUser(): Promise<LabUser> {
  const me = userInfo();
  if (me.uid !== 0) {
    if (!me.shell || /(nologin|false)$/.test(me.shell)) {
      throw new Error(`user ${me.username} has no login shell (${me.shell ?? "none"}), so lab hosts cannot log in as it; run as root or as a user with a shell`);
    }
    return { name: me.username, created: false };
  }
  const exists = (await run("id", ["-u", LAB_USER])).code === 0;
  if (!exists) {
    const result = await run(findTool("useradd", "passwd"), ["--system", "--no-create-home", "--home-dir", "/nonexistent", "--shell", "/bin/sh", LAB_USER]);
    // Another test process may have created it in the meantime.
    if (result.code !== 0 && (await run("id", ["-u", LAB_USER])).code !== 0) {
      throw new Error(`useradd ${LAB_USER} failed: ${result.stderr.trim()}`);
    }
  }
  await runOrThrow(findTool("usermod", "passwd"), ["-p", "*", LAB_USER]);
  return { name: LAB_USER, created: !exists };
}

export async function removeLabUser(user: LabUser): Promise<void> {
  if (user.created) await run(findTool("userdel", "passwd"), [user.name]);
}
