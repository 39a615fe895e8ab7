import { userInfo } from "node:os";
import { Lab, type LabHost } from "../lab.js";
import { removeLabUser } from "../lab-user.js";
import { findSshd, findTool, MissingToolError } from "../openssh-tools.js";
import type { DemoLab, HostRole } from "./demo-lab.js";
import type { Supervisor } from "./supervisor.js";

/** Why real OpenSSH sshd cannot serve the demo's hosts here, or undefined when it can. */
export function whySshdCannotServe(): string | undefined {
  try {
    findSshd();
    findTool("ssh-keygen", "openssh-client");
  } catch (error) {
    if (error instanceof MissingToolError) return error.message;
    throw error;
  }
  const me = userInfo();
  if (me.uid !== 0 && (!me.shell || /(nologin|false)$/.test(me.shell))) {
    return `not root, and ${me.username} has no login shell (${me.shell ?? "none"}) for an unprivileged sshd to log in to`;
  }
  return undefined;
}

/**
 * The demo's hosts served by real OpenSSH sshd on loopback addresses, as the test suite runs
 * them (testkit's Lab): one sshd per behaviour, logging in as a dedicated unprivileged user
 * when run as root.
 */
export async function startSshdLab(roles: readonly HostRole[], supervisor: Supervisor): Promise<DemoLab> {
  const lab = await Lab.create({ spawner: supervisor.spawn });
  supervisor.ownPath(lab.dir);
  if (lab.user.created) supervisor.ownUser(lab.user.name);
  supervisor.atCleanup("remove the lab user", () => removeLabUser(lab.user));
  supervisor.atCleanup("stop the sshd hosts", () => lab.close());

  const count = (role: HostRole) => roles.filter((r) => r === role).length;
  const served = await lab.startHosts({ count: count("healthy") + count("changed-host-key") });
  const refusing = count("unauthorized-key") > 0 ? await lab.startHosts({ behaviour: "deny-key", count: count("unauthorized-key") }) : [];
  const impostor = await lab.impostorKey("ed25519");
  const endpoints: LabHost[] = [];
  const changedKey = new Map<string, typeof impostor[]>();
  for (const role of roles) {
    switch (role) {
      case "healthy":
        endpoints.push(served.shift()!);
        break;
      case "changed-host-key": {
        const host = served.shift()!;
        changedKey.set(host.address, [impostor]);
        endpoints.push(host);
        break;
      }
      case "unauthorized-key":
        endpoints.push(refusing.shift()!);
        break;
      case "nothing-listening":
        endpoints.push(await lab.closedHost());
        break;
      case "no-banner":
        endpoints.push(await lab.startSilentHost());
        break;
    }
  }
  const knownHosts = await lab.writeKnownHosts("known_hosts", endpoints.filter((e) => e.kind === "sshd"), { override: changedKey });
  return {
    description: `real OpenSSH sshd on 127.x.y.z addresses, logging in as ${lab.user.name}`,
    user: lab.user.name,
    clientKey: lab.clientKey.privatePath,
    knownHosts,
    dir: lab.dir,
    endpoints: endpoints.map(({ address, port }) => ({ address, port })),
    close: () => lab.close(),
  };
}
