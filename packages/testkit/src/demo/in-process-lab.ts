import { chmodSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir, userInfo } from "node:os";
import { join } from "node:path";
import { freePort } from "../free-port.js";
import { startSilentListener } from "../silent-listener.js";
import { knownHostsLine } from "../ssh-keys.js";
import { ssh2KeyPair } from "../ssh2-key-pair.js";
import type { DemoLab, Endpoint, HostRole } from "./demo-lab.js";
import { startInProcessSshHost } from "./in-process-ssh-host.js";
import type { Supervisor } from "./supervisor.js";

/** An ed25519 key pair in OpenSSH format, made without ssh-keygen (which may be missing too). */
function makeKey(comment: string): { privateKey: string; publicLine: string } {
  const keys = ssh2KeyPair({ comment });
  return { privateKey: keys.private, publicLine: keys.public.trim() };
}

/**
 * The demo's hosts as SSH servers inside the demo process (ssh2), for machines where sshd
 * cannot be used. Each logs in the demo's key as the user running the demo, and runs the real
 * probe with this machine's `/bin/sh`; the broken ones misbehave as their role says.
 */
export async function startInProcessLab(roles: readonly HostRole[], supervisor: Supervisor): Promise<DemoLab> {
  const dir = mkdtempSync(join(tmpdir(), "fleetwatch-demo-ssh-"));
  supervisor.ownPath(dir);
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    await Promise.all(closers.map((c) => c()));
  };
  supervisor.atCleanup("stop the in-process SSH hosts", close);

  const user = userInfo().username;
  const client = makeKey("fleetwatch-demo-client");
  const clientKey = join(dir, "client_ed25519");
  writeFileSync(clientKey, client.privateKey, { mode: 0o600 });
  const hostKey = makeKey("fleetwatch-demo-host");
  const impostor = makeKey("fleetwatch-demo-impostor");
  const octet = 20 + Math.floor(Math.random() * 200);

  const endpoints: Endpoint[] = [];
  const knownLines: string[] = [];
  for (const [i, role] of roles.entries()) {
    const address = `127.${octet}.0.${i + 1}`;
    if (role === "nothing-listening") {
      endpoints.push({ address, port: await freePort() });
    } else if (role === "no-banner") {
      const port = await freePort();
      const listener = await startSilentListener(address, port);
      closers.push(() => listener.close());
      endpoints.push({ address, port });
    } else {
      const host = await startInProcessSshHost({
        address,
        hostKey: hostKey.privateKey,
        user,
        authorizedKey: role === "unauthorized-key" ? null : client.publicLine,
      });
      closers.push(() => host.close());
      endpoints.push({ address, port: host.port });
      knownLines.push(knownHostsLine(address, host.port, role === "changed-host-key" ? impostor.publicLine : hostKey.publicLine));
    }
  }
  const knownHosts = join(dir, "known_hosts");
  writeFileSync(knownHosts, `${knownLines.join("\n")}\n`);
  chmodSync(dir, 0o755);
  return {
    description: `SSH servers inside the demo process (ssh2) on 127.x.y.z addresses, running the real probe with this machine's sh as ${user}`,
    user,
    clientKey,
    knownHosts,
    dir,
    endpoints,
    close,
  };
}
