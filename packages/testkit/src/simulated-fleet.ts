import { fork, type ChildProcess } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "./free-port.js";
import { ssh2KeyPair } from "./ssh2-key-pair.js";
import type { SimulatedHostKind } from "./simulated-host-kinds.js";
import { simulatedHostAddress, simulatedHostKind } from "./simulated-host-kinds.js";
import type { SimulatedHostSpec } from "./simulated-host-server.js";

export interface SimulatedFleetOptions {
  hosts: number;
  /** Server processes the hosts are spread over. @defaultValue one per 4,000 hosts */
  processes?: number;
  /** One host in this many is broken (0: none). @defaultValue 50 */
  brokenEvery?: number;
  /** A healthy host's answer time. @defaultValue 520 ms, like the real probe's short sample (the pipeline's, `-c`, answers 500 ms sooner) */
  probeMs?: number;
}

export interface SimulatedFleetHost {
  name: string;
  address: string;
  port: number;
  kind: SimulatedHostKind;
}

/** Each process holds a listener per host and a connection per monitored host: 2 fds each. */
const MAX_HOSTS_PER_PROCESS = 8_000;
const PROCESS_ENTRY = fileURLToPath(new URL("../dist/simulated-fleet-process.js", import.meta.url));

/**
 * Thousands of SSH hosts on loopback for the monitor's side of a benchmark, served by a few
 * Node processes (ssh2 servers answering the probe with generated output), each host on an
 * address of its own. Its own throwaway host key, client key and known_hosts file.
 * `close()` stops the processes and removes the files.
 */
export class SimulatedFleet {
  private constructor(
    readonly dir: string,
    readonly hosts: SimulatedFleetHost[],
    readonly clientKeyPath: string,
    readonly knownHostsPath: string,
    private readonly children: ChildProcess[],
  ) {}

  static async start(options: SimulatedFleetOptions): Promise<SimulatedFleet> {
    const count = options.hosts;
    const processes = options.processes ?? Math.max(1, Math.ceil(count / 4_000));
    if (Math.ceil(count / processes) > MAX_HOSTS_PER_PROCESS) throw new Error(`at most ${MAX_HOSTS_PER_PROCESS} hosts per process (open-file limit)`);
    if (count > 254 * 254) throw new Error("at most 64,516 simulated hosts");
    const dir = mkdtempSync(join(tmpdir(), "fleetwatch-simfleet-"));
    const hostKey = ssh2KeyPair();
    const clientKey = ssh2KeyPair();
    const clientKeyPath = join(dir, "client_ed25519");
    writeFileSync(clientKeyPath, clientKey.private, { mode: 0o600 });
    const hostPublic = hostKey.public.trim().split(" ").slice(0, 2).join(" ");
    const octet = 220 + Math.floor(Math.random() * 34);
    const ports = await Promise.all(Array.from({ length: processes }, () => freePort()));
    const specs: SimulatedHostSpec[][] = ports.map(() => []);
    const hosts: SimulatedFleetHost[] = [];
    for (let index = 0; index < count; index++) {
      const p = index % processes;
      const spec = { index, address: simulatedHostAddress(octet, index), port: ports[p]!, kind: simulatedHostKind(index, options.brokenEvery ?? 50) };
      specs[p]!.push(spec);
      hosts.push({ name: `sim-${String(index).padStart(6, "0")}`, address: spec.address, port: spec.port, kind: spec.kind });
    }
    const knownHostsPath = join(dir, "known_hosts");
    writeFileSync(knownHostsPath, hosts.map((h) => `[${h.address}]:${h.port} ${hostPublic}`).join("\n") + "\n");
    const children: ChildProcess[] = [];
    const fleet = new SimulatedFleet(dir, hosts, clientKeyPath, knownHostsPath, children);
    try {
      await Promise.all(
        specs.map(async (hostSpecs) => {
          const child = fork(PROCESS_ENTRY, [], { stdio: ["ignore", "inherit", "inherit", "ipc"] });
          children.push(child);
          await new Promise<void>((resolve, reject) => {
            child.once("exit", (code) => reject(new Error(`simulated fleet process exited with ${code}`)));
            child.on("message", (m: { type: string; message?: string }) => {
              if (m.type === "ready") resolve();
              if (m.type === "error") reject(new Error(`simulated fleet process: ${m.message}`));
            });
            child.send({
              type: "start",
              options: { hosts: hostSpecs, hostKey: hostKey.private, clientPublicKey: clientKey.public, ...(options.probeMs !== undefined ? { probeMs: options.probeMs } : {}) },
            });
          });
          child.removeAllListeners("exit");
        }),
      );
    } catch (error) {
      await fleet.close();
      throw error;
    }
    return fleet;
  }

  /** Process ids of the server processes (to read their CPU time). */
  get pids(): number[] {
    return this.children.map((c) => c.pid!).filter(Boolean);
  }

  /** CPU seconds (user + system) the server processes have used so far, from /proc. */
  cpuSeconds(): number {
    let ticks = 0;
    for (const pid of this.pids) {
      try {
        const fields = readFileSync(`/proc/${pid}/stat`, "utf8").replace(/^.*\) /, "").split(" ");
        ticks += Number(fields[11]) + Number(fields[12]);
      } catch {}
    }
    return ticks / 100;
  }

  /** Connections, logins and probes answered, summed over the processes. */
  async counts(): Promise<{ connections: number; logins: number; execs: number }> {
    const all = await Promise.all(
      this.children.map(
        (child) =>
          new Promise<{ connections: number; logins: number; execs: number }>((resolve) => {
            const onMessage = (m: { type: string; counts?: { connections: number; logins: number; execs: number } }) => {
              if (m.type !== "counts") return;
              child.off("message", onMessage);
              resolve(m.counts ?? { connections: 0, logins: 0, execs: 0 });
            };
            child.on("message", onMessage);
            child.send({ type: "counts" });
          }),
      ),
    );
    return all.reduce((a, c) => ({ connections: a.connections + c.connections, logins: a.logins + c.logins, execs: a.execs + c.execs }), { connections: 0, logins: 0, execs: 0 });
  }

  async close(): Promise<void> {
    await Promise.all(
      this.children.map(
        (child) =>
          new Promise<void>((resolve) => {
            if (child.exitCode !== null || child.signalCode !== null) return resolve();
            child.once("exit", () => resolve());
            if (child.connected) child.send({ type: "stop" });
            setTimeout(() => child.kill("SIGKILL"), 3_000).unref();
          }),
      ),
    );
    rmSync(this.dir, { recursive: true, force: true });
  }
}
