import { createServer, type Server, type Socket } from "node:net";
import ssh2 from "ssh2";
import type { SimulatedHostKind } from "./simulated-host-kinds.js";
import type { SimulatedHostTraits } from "./simulated-probe-output.js";
import { simulatedHostTraits, simulatedProbeOutput } from "./simulated-probe-output.js";

export interface SimulatedHostSpec {
  index: number;
  address: string;
  port: number;
  kind: SimulatedHostKind;
}

export interface SimulatedHostServerOptions {
  hosts: SimulatedHostSpec[];
  /** OpenSSH private key text every host serves. */
  hostKey: string;
  /** The monitor's public key line (`ssh-ed25519 AAAA…`): the only key let in. */
  clientPublicKey: string;
  /** How long a healthy host takes to answer the probe, ± a fifth. @defaultValue 520 (the real probe sleeps 0.5 s) */
  probeMs?: number;
}

/**
 * Many SSH hosts in one process, each on a loopback address of its own: one listening
 * socket per host (one file descriptor) plus one per connection. An ssh2 server answers an
 * exec of anything that looks like the probe (`sh -s …`) with realistic, varying probe
 * output; broken hosts misbehave as their kind says.
 */
export class SimulatedHostServer {
  private readonly listeners: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly ssh: ssh2.Server;
  private readonly hostOf = new WeakMap<Socket, { spec: SimulatedHostSpec; traits: SimulatedHostTraits }>();
  private readonly allowed: ssh2.ParsedKey;
  private readonly probeMs: number;
  /** Connections, logins and probes answered since start. */
  readonly counts = { connections: 0, logins: 0, execs: 0 };

  constructor(private readonly options: SimulatedHostServerOptions) {
    const allowed = ssh2.utils.parseKey(options.clientPublicKey);
    if (allowed instanceof Error) throw allowed;
    this.allowed = Array.isArray(allowed) ? allowed[0]! : allowed;
    this.probeMs = options.probeMs ?? 520;
    this.ssh = new ssh2.Server({ hostKeys: [options.hostKey], ident: "OpenSSH_9.2p1" }, (client) => this.serve(client));
    this.ssh.on("error", () => {});
  }

  async start(): Promise<void> {
    const startedAt = Date.now();
    for (const spec of this.options.hosts) {
      if (spec.kind === "refused") continue;
      const traits = simulatedHostTraits(spec.index, startedAt);
      const listener = createServer((socket) => {
        this.counts.connections += 1;
        this.sockets.add(socket);
        socket.on("close", () => this.sockets.delete(socket));
        socket.on("error", () => {});
        if (spec.kind === "silent") return;
        this.hostOf.set(socket, { spec, traits });
        this.ssh.injectSocket(socket);
      });
      await new Promise<void>((resolve, reject) => {
        listener.once("error", reject);
        listener.listen({ host: spec.address, port: spec.port, backlog: 511 }, () => resolve());
      });
      this.listeners.push(listener);
    }
  }

  private serve(client: ssh2.Connection): void {
    const socket = (client as unknown as { _sock: Socket })._sock;
    const host = this.hostOf.get(socket);
    client.on("error", () => {});
    if (!host) {
      client.end();
      return;
    }
    client.on("authentication", (ctx) => {
      if (ctx.method !== "publickey" || host.spec.kind === "deny-key") return ctx.reject(["publickey"]);
      if (ctx.key.algo !== this.allowed.type || !ctx.key.data.equals(this.allowed.getPublicSSH())) return ctx.reject(["publickey"]);
      if (ctx.signature && this.allowed.verify(ctx.blob!, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(["publickey"]);
      if (ctx.signature) this.counts.logins += 1;
      ctx.accept();
    });
    client.on("session", (accept) => {
      const session = accept();
      session.on("exec", (acceptExec, _reject, info) => {
        const channel = acceptExec();
        this.counts.execs += 1;
        channel.on("error", () => {});
        // The probe arrives on stdin; drain it.
        channel.on("data", () => {});
        if (host.spec.kind === "hang") return;
        if (host.spec.kind === "garbage" || !info.command.startsWith("sh -s")) {
          channel.write("fish: Unknown command: sh\n");
          channel.exit(127);
          return channel.end();
        }
        // The pipeline's probe (`-c`: CPU counters) has no 0.5 s sampling pause.
        const probeMs = info.command.includes("'-c'") ? Math.max(20, this.probeMs - 500) : this.probeMs;
        const delay = probeMs * (0.8 + 0.4 * Math.random());
        const timer = setTimeout(() => {
          channel.write(simulatedProbeOutput(host.traits, Date.now()));
          channel.exit(0);
          channel.end();
        }, delay);
        channel.on("close", () => clearTimeout(timer));
      });
    });
  }

  async close(): Promise<void> {
    for (const socket of this.sockets) socket.destroy();
    await Promise.all(this.listeners.map((l) => new Promise<void>((resolve) => l.close(() => resolve()))));
  }
}
