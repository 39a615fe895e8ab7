import type { ChildProcess } from "node:child_process";
import { mkdirSync, writeFileSync } from "node:fs";
import { connect } from "node:net";
import { join } from "node:path";
import type { HostBehaviour } from "./host-behaviours.js";
import { findSshd } from "./openssh-tools.js";
import type { KeyPair } from "./ssh-keys.js";
import { plainSpawner, type Spawner } from "./spawner.js";

/** OpenSSH listens on at most 16 sockets per sshd (MAX_LISTEN_SOCKS). */
export const MAX_ADDRESSES_PER_SSHD = 16;

export interface SshdOptions {
  dir: string;
  port: number;
  addresses: { address: string; behaviour: HostBehaviour }[];
  hostKeys: KeyPair[];
  user: string;
  authorizedKeysFile: string;
  behaviourLines: Record<HostBehaviour, string[]>;
  /**
   * `sshd -r`: no re-exec per connection, for benchmarks where hundreds of lab "hosts" share
   * this machine's cores (each real host pays for its own logins). It also disables session
   * signals, so tests run sshd as shipped.
   */
  noReexec?: boolean;
  /**
   * sshd's `MaxStartups` (start:rate:full). A small one ("2:100:2") makes the sshd refuse
   * a burst of handshakes as a busy real host does. @defaultValue "500:30:1000"
   */
  maxStartups?: string;
  /** @defaultValue plainSpawner */
  spawner?: Spawner;
}

/** Resolves once the address answers with an SSH banner. */
function waitForBanner(address: string, port: number, deadline: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const attempt = () => {
      const socket = connect({ host: address, port });
      let settled = false;
      const retry = () => {
        if (settled) return;
        settled = true;
        socket.destroy();
        if (Date.now() > deadline) reject(new Error(`sshd on ${address}:${port} did not start`));
        else setTimeout(attempt, 25);
      };
      socket.once("data", (chunk) => {
        if (chunk.toString("latin1").startsWith("SSH-")) {
          settled = true;
          socket.destroy();
          resolve();
        } else retry();
      });
      socket.once("error", retry);
      socket.once("close", retry);
    };
    attempt();
  });
}

/** One real OpenSSH sshd in the foreground on up to 16 loopback addresses, killed by `stop()`. */
export class SshdServer {
  private child: ChildProcess | undefined;
  readonly configPath: string;
  readonly logPath: string;

  constructor(readonly options: SshdOptions) {
    if (options.addresses.length > MAX_ADDRESSES_PER_SSHD) throw new Error("bug: too many addresses for one sshd");
    const id = `${options.addresses[0]!.address}-${options.port}`;
    this.configPath = join(options.dir, `sshd-${id}.conf`);
    this.logPath = join(options.dir, `sshd-${id}.log`);
  }

  /** The sshd listener's process id, while it runs. */
  get pid(): number | undefined {
    return this.child?.pid;
  }

  private config(): string {
    const { port, addresses, hostKeys, user, authorizedKeysFile, behaviourLines } = this.options;
    const lines = [
      ...addresses.map(({ address }) => `ListenAddress ${address}:${port}`),
      ...hostKeys.map((key) => `HostKey ${key.privatePath}`),
      `AuthorizedKeysFile ${authorizedKeysFile}`,
      `AllowUsers ${user}`,
      "PidFile none",
      "UsePAM no",
      "StrictModes no",
      "PasswordAuthentication no",
      "KbdInteractiveAuthentication no",
      "PubkeyAuthentication yes",
      "PermitRootLogin no",
      "X11Forwarding no",
      "AllowTcpForwarding no",
      "PrintMotd no",
      "UseDNS no",
      "LogLevel INFO",
      "PrintLastLog no",
      // Many lab "hosts" share one sshd, where each real host would have its own limit.
      `MaxStartups ${this.options.maxStartups ?? "500:30:1000"}`,
      "LoginGraceTime 30",
    ];
    for (const { address, behaviour } of addresses) {
      const extra = behaviourLines[behaviour];
      if (extra.length > 0) lines.push(`Match LocalAddress ${address}`, ...extra.map((line) => `  ${line}`));
    }
    return `${lines.join("\n")}\n`;
  }

  async start(): Promise<void> {
    try {
      mkdirSync("/run/sshd", { recursive: true, mode: 0o755 });
    } catch {
      // not root: sshd runs without privilege separation directory checks
    }
    writeFileSync(this.configPath, this.config());
    const flags = this.options.noReexec ? ["-r"] : [];
    const child = (this.options.spawner ?? plainSpawner)(findSshd(), ["-D", ...flags, "-f", this.configPath, "-E", this.logPath], { stdio: "ignore" });
    this.child = child;
    const exited = new Promise<never>((_, reject) =>
      child.once("exit", (code) => reject(new Error(`sshd exited with ${code}; see ${this.logPath}`))),
    );
    const deadline = Date.now() + 10_000;
    await Promise.race([
      Promise.all(this.options.addresses.map(({ address }) => waitForBanner(address, this.options.port, deadline))),
      exited,
    ]);
    child.removeAllListeners("exit");
  }

  async stop(): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      child.once("exit", () => resolve());
      child.kill("SIGTERM");
      setTimeout(() => child.kill("SIGKILL"), 2_000).unref();
    });
  }
}
