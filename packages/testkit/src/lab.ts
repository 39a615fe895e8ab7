import { spawn, type ChildProcess } from "node:child_process";
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import type { HostBehaviour } from "./host-behaviours.js";
import { commandLogPath, containerCgroupDir, hangSeconds, writeBehaviourScripts } from "./host-behaviours.js";
import { findTool } from "./openssh-tools.js";
import { freePort } from "./free-port.js";
import { run } from "./run-command.js";
import type { LabUser } from "./lab-user.js";
import { ensureLabUser } from "./lab-user.js";
import { startSilentListener } from "./silent-listener.js";
import type { KeyKind, KeyPair } from "./ssh-keys.js";
import { generateKey, hashKnownHosts, knownHostsLine } from "./ssh-keys.js";
import { MAX_ADDRESSES_PER_SSHD, SshdServer } from "./sshd-server.js";
import type { Spawner } from "./spawner.js";

export interface LabHost {
  address: string;
  port: number;
  /** `sshd`: a real OpenSSH sshd; `silent`: TCP accepted, no banner; `closed`: nothing listens. */
  kind: "sshd" | "silent" | "closed";
  behaviour: HostBehaviour;
  hostKeys: KeyPair[];
}

export interface HostsSpec {
  count?: number;
  behaviour?: HostBehaviour;
  /** Host key kinds this group of sshd hosts serves. @defaultValue ["ed25519"] */
  hostKeyKinds?: KeyKind[];
  /** Host keys to serve instead of the lab's shared ones (an impostor key: a host reinstalled). */
  hostKeys?: KeyPair[];
  /** Run sshd without re-exec per connection (benchmarks only; see SshdOptions.noReexec). */
  noReexec?: boolean;
  /** sshd's `MaxStartups` (e.g. "2:100:2" to refuse bursts); see SshdOptions.maxStartups. */
  maxStartups?: string;
}

/**
 * Throwaway SSH "hosts" on loopback addresses (127.x.y.z), served by real OpenSSH sshd
 * processes, with throwaway keys in a temporary directory. `close()` stops and removes all.
 */
export class Lab {
  private servers: SshdServer[] = [];
  private closers: (() => Promise<void>)[] = [];
  private processes: ChildProcess[] = [];
  private nextHost = 1;
  private nextKey = 1;
  private readonly hostKeys = new Map<KeyKind, KeyPair>();
  private behaviourLines: Record<HostBehaviour, string[]> | undefined;
  private readonly authorizedLines: string[] = [];
  /** A number unique to this lab among those running now. */
  readonly id = process.pid * 1000 + Math.floor(Math.random() * 1000);
  readonly authorizedKeysFile: string;

  private constructor(
    readonly dir: string,
    readonly user: LabUser,
    readonly clientKey: KeyPair,
    private readonly octet: number,
    private readonly spawner: Spawner | undefined,
  ) {
    this.authorizedKeysFile = join(dir, "authorized_keys");
  }

  static async create(options: { busybox?: boolean; spawner?: Spawner } = {}): Promise<Lab> {
    const user = await ensureLabUser();
    const dir = mkdtempSync(join(tmpdir(), "fleetwatch-lab-"));
    chmodSync(dir, 0o755);
    const clientKey = await generateKey(join(dir, "client_ed25519"), "ed25519");
    const octet = 20 + Math.floor(Math.random() * 200);
    const lab = new Lab(dir, user, clientKey, octet, options.spawner);
    lab.authorize(clientKey);
    lab.behaviourLines = writeBehaviourScripts(dir, options.busybox ?? false, lab.id);
    return lab;
  }

  /** Lets a client key log in to every lab host. */
  authorize(...keys: KeyPair[]): void {
    this.authorizedLines.push(...keys.map((k) => k.publicLine));
    writeFileSync(this.authorizedKeysFile, `${this.authorizedLines.join("\n")}\n`, { mode: 0o644 });
  }

  /** A new client key of any kind, authorized unless told otherwise. */
  async clientKeyOf(kind: KeyKind, options: { passphrase?: string; format?: "openssh" | "pem"; authorize?: boolean } = {}): Promise<KeyPair> {
    const name = `client_${kind}_${options.format ?? "openssh"}${options.passphrase ? "_pass" : ""}_${this.nextKey++}`;
    const key = await generateKey(join(this.dir, name), kind, options);
    if (options.authorize !== false) this.authorize(key);
    return key;
  }

  async hostKey(kind: KeyKind): Promise<KeyPair> {
    let key = this.hostKeys.get(kind);
    if (!key) {
      key = await generateKey(join(this.dir, `host_${kind}`), kind);
      this.hostKeys.set(kind, key);
    }
    return key;
  }

  /** A fresh host key nobody serves: put it in known_hosts to simulate a changed host key. */
  async impostorKey(kind: KeyKind = "ed25519"): Promise<KeyPair> {
    return generateKey(join(this.dir, `impostor_${kind}_${this.nextKey++}`), kind);
  }

  private nextAddress(): string {
    const n = this.nextHost++;
    return `127.${this.octet}.${n >> 8}.${(n & 255) || 1}`;
  }

  /** Starts `count` sshd hosts (16 per sshd process) with one behaviour and host-key set. */
  async startHosts(spec: HostsSpec = {}): Promise<LabHost[]> {
    const count = spec.count ?? 1;
    const behaviour = spec.behaviour ?? "healthy";
    const hostKeys = spec.hostKeys ?? (await Promise.all((spec.hostKeyKinds ?? ["ed25519"]).map((kind) => this.hostKey(kind))));
    const hosts: LabHost[] = [];
    for (let start = 0; start < count; start += MAX_ADDRESSES_PER_SSHD) {
      const port = await freePort();
      const addresses = Array.from({ length: Math.min(MAX_ADDRESSES_PER_SSHD, count - start) }, () => ({
        address: this.nextAddress(),
        behaviour,
      }));
      const server = new SshdServer({
        dir: this.dir,
        port,
        addresses,
        hostKeys,
        user: this.user.name,
        authorizedKeysFile: this.authorizedKeysFile,
        behaviourLines: this.behaviourLines!,
        noReexec: spec.noReexec ?? false,
        ...(spec.maxStartups ? { maxStartups: spec.maxStartups } : {}),
        ...(this.spawner ? { spawner: this.spawner } : {}),
      });
      this.servers.push(server);
      await server.start();
      hosts.push(...addresses.map(({ address }) => ({ address, port, kind: "sshd" as const, behaviour, hostKeys })));
    }
    return hosts;
  }

  /** A host that accepts TCP and never sends an SSH banner. */
  async startSilentHost(): Promise<LabHost> {
    const address = this.nextAddress();
    const port = await freePort();
    const listener = await startSilentListener(address, port);
    this.closers.push(() => listener.close());
    return { address, port, kind: "silent", behaviour: "healthy", hostKeys: [] };
  }

  /** An address and port where nothing listens: connection refused. */
  async closedHost(): Promise<LabHost> {
    return { address: this.nextAddress(), port: await freePort(), kind: "closed", behaviour: "healthy", hostKeys: [] };
  }

  /**
   * Writes a known_hosts file. By default each host is listed with the keys it serves;
   * `override` replaces a host's keys (an impostor key to simulate a changed host key).
   */
  async writeKnownHosts(
    name: string,
    hosts: readonly LabHost[],
    options: { hashed?: boolean; override?: Map<string, KeyPair[]> } = {},
  ): Promise<string> {
    const path = join(this.dir, name);
    const lines = hosts.flatMap((host) =>
      (options.override?.get(host.address) ?? host.hostKeys).map((key) => knownHostsLine(host.address, host.port, key.publicLine)),
    );
    writeFileSync(path, `${lines.join("\n")}\n`, { mode: 0o644 });
    if (options.hashed) await hashKnownHosts(path);
    return path;
  }

  /** Process ids of the lab's sshd listeners (their sessions are their children). */
  sshdPids(): number[] {
    return this.servers.map((s) => s.pid).filter((pid): pid is number => pid !== undefined);
  }

  /** What the sshd serving this host has logged so far (one sshd serves one `startHosts` call). */
  sshdLog(host: Pick<LabHost, "address" | "port">): string {
    const server = this.servers.find((s) => s.options.port === host.port && s.options.addresses.some((a) => a.address === host.address));
    if (!server) throw new Error(`bug: no lab sshd serves ${host.address}:${host.port}`);
    try {
      return readFileSync(server.logPath, "utf8");
    } catch {
      return "";
    }
  }

  /**
   * Logins the sshd serving this host has accepted so far (from its log). Every sshd of a
   * lab serves the hosts of one `startHosts` call, so start a host alone to count its own.
   */
  logins(host: Pick<LabHost, "address" | "port">): number {
    return this.sshdLog(host).split("\n").filter((line) => line.includes("Accepted publickey")).length;
  }

  /**
   * The cgroup files a `container` host shows at /sys/fs/cgroup, by path below it:
   * `{ "memory.max": "536870912", ... }` (v2) or `{ "memory/memory.limit_in_bytes": ... }` (v1).
   * Replaces what was set before; applies from the host's next command.
   */
  setContainerCgroup(host: LabHost, files: Record<string, string>): void {
    const root = containerCgroupDir(this.dir, host.address);
    rmSync(root, { recursive: true, force: true });
    mkdirSync(root, { recursive: true, mode: 0o755 });
    chmodSync(dirname(root), 0o755);
    for (const [path, content] of Object.entries(files)) {
      mkdirSync(dirname(join(root, path)), { recursive: true, mode: 0o755 });
      writeFileSync(join(root, path), content.endsWith("\n") ? content : `${content}\n`, { mode: 0o644 });
    }
  }

  /** Starts a process on this machine (the lab hosts' machine), stopped by `close()`. */
  private startProcess(file: string, args: string[]): Promise<ChildProcess> {
    const child = spawn(file, args, { stdio: "ignore" });
    this.processes.push(child);
    return new Promise((resolve, reject) => {
      child.once("spawn", () => resolve(child));
      child.once("error", reject);
    });
  }

  /**
   * A process that is not `name` but names it in its arguments, as `tail -f
   * /var/log/NAME.log` does: a check must not take it for the program.
   */
  async startDecoy(name: string): Promise<ChildProcess> {
    const log = join(this.dir, "decoys", `${name}.log`);
    mkdirSync(dirname(log), { recursive: true });
    writeFileSync(log, "");
    return this.startProcess(findTool("tail", "coreutils"), ["-f", log]);
  }

  /**
   * A long-running process whose program is called `name` (a link to `sleep`): its comm is
   * the name's first 15 characters, its argv[0] the link's path.
   */
  async startProgram(name: string): Promise<ChildProcess> {
    const path = join(this.dir, "programs", name);
    mkdirSync(dirname(path), { recursive: true, mode: 0o755 });
    if (!existsSync(path)) symlinkSync(findTool("sleep", "coreutils"), path);
    return this.startProcess(path, [hangSeconds(this.id)]);
  }

  /** Commands a `logged` host was asked to run, one per line. */
  commandLog(address: string): string {
    try {
      return readFileSync(commandLogPath(this.dir, address), "utf8");
    } catch {
      return "";
    }
  }

  async close(): Promise<void> {
    await Promise.all(this.servers.map((server) => server.stop()));
    // sshd cannot signal a forced command: end what the lab's wrappers left running (a hang).
    await run("pkill", ["-KILL", "-f", `${this.dir}/bin/`]);
    await run("pkill", ["-KILL", "-f", `sleep ${hangSeconds(this.id)}`]);
    await Promise.all(this.closers.map((close) => close()));
    await Promise.all(this.processes.map(stopProcess));
    this.processes = [];
    this.servers = [];
    this.closers = [];
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function stopProcess(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return Promise.resolve();
  return new Promise((resolve) => {
    child.once("exit", () => resolve());
    child.kill("SIGKILL");
  });
}
