import type { Failure } from "../result/outcome.js";
import type { SshConnection } from "./ssh-connect.js";
import { checkDeadline, refusedHandshakePauseMs, withinDeadline } from "./refused-handshake-retry.js";
import { CLOSED_BEFORE_BANNER, closeSshConnection, connectSsh } from "./ssh-connect.js";
import type { ExecResult } from "./ssh-exec.js";
import { execOnConnection } from "./ssh-exec.js";
import type { SshPoolOptions } from "./ssh-pool-options.js";
import { SSH_POOL_DEFAULTS } from "./ssh-pool-options.js";
import type { SshRunResult, SshTarget, SshTimings } from "./ssh-target.js";

/** A host as the pool sees it: how to reach it, and what a kept connection depends on. */
export interface PooledTarget extends SshTarget {
  /** Everything in the host's SSH settings a kept connection was made with; a change closes it. */
  settingsKey: string;
  /**
   * What known_hosts (or the pinned-key store) says about the host now, as a string; a
   * change closes the connection, so the key is verified again (a key newly `@revoked`
   * stops probing at once).
   */
  trustKey: () => string;
  /** Closes this host's connection after this long unused. @defaultValue the pool's idleTimeoutMs */
  idleTimeoutMs?: number;
}

interface Entry {
  key: string;
  settingsKey: string;
  trustKey: string;
  connection: SshConnection;
  busy: number;
  /** Checks waiting for a channel on this connection (all `maxChannelsPerConnection` busy). */
  waiters: Set<() => void>;
  /** Out of the pool; closes when its last running check ends. */
  closeWhenIdle?: boolean;
  lastUsed: number;
  idleTimeoutMs: number;
}

export interface SshPoolStats {
  /** Connections open now. */
  open: number;
  /** Of those, running a command now. */
  busy: number;
  /** Logins done (connections made) since the pool started. */
  logins: number;
  /** Checks run on a connection kept from an earlier check. */
  reused: number;
  /** Checks moved to a fresh connection because the kept one failed before the probe started. */
  replaced: number;
  /** Connections closed for: idle, settings or trust change, eviction, death. */
  closed: Record<"idle" | "changed" | "evicted" | "dead" | "shutdown", number>;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * One authenticated SSH connection per host, each check a new exec channel on it.
 *
 * - The host key is verified at every (re)connect; a change in the host's SSH settings or
 *   in its known_hosts entry closes the kept connection first.
 * - Dead or half-open connections are found by SSH and TCP keepalive while idle and by a
 *   deadline on opening the channel; a check whose kept connection failed before the
 *   probe started moves to a fresh connection within the check's own deadline (connect +
 *   handshake + command). Once the exec request may have reached the host, the check is
 *   never run again.
 * - At most `maxConnections` are kept (least recently used idle ones go first); connections
 *   close after `idleTimeoutMs` unused, and all on `close()`.
 */
export class SshConnectionPool {
  readonly options: SshPoolOptions;
  private readonly entries = new Map<string, Entry>();
  private readonly connecting = new Map<string, Promise<void>>();
  private readonly sweeper: NodeJS.Timeout;
  private closed = false;
  private readonly counters: SshPoolStats = {
    open: 0,
    busy: 0,
    logins: 0,
    reused: 0,
    replaced: 0,
    closed: { idle: 0, changed: 0, evicted: 0, dead: 0, shutdown: 0 },
  };

  constructor(options: Partial<SshPoolOptions> = {}) {
    this.options = { ...SSH_POOL_DEFAULTS, ...options };
    if (!(this.options.maxConnections >= 1)) throw new Error("bug: maxConnections must be at least 1");
    const every = Math.max(1_000, Math.min(15_000, Math.floor(this.options.idleTimeoutMs / 2)));
    this.sweeper = setInterval(() => this.sweep(Date.now()), every);
    this.sweeper.unref();
  }

  stats(): SshPoolStats {
    let busy = 0;
    for (const entry of this.entries.values()) if (entry.busy > 0) busy += 1;
    return { ...this.counters, closed: { ...this.counters.closed }, open: this.entries.size, busy };
  }

  /** Runs one command on the host's kept connection, or on a fresh one. Never throws for a host's fault. */
  async run(target: PooledTarget, command: string, stdin: string): Promise<SshRunResult> {
    const deadline = checkDeadline(target);
    const key = `${target.user}@${target.address}:${target.port}`;
    for (;;) {
      // One login at a time per host: after a failed one, the next waiting check tries in turn.
      let pending = this.connecting.get(key);
      while (pending) {
        await pending;
        pending = this.connecting.get(key);
      }
      const kept = this.entries.get(key);
      if (kept && (kept.settingsKey !== target.settingsKey || kept.trustKey !== target.trustKey())) this.drop(kept, "changed");
      const entry = this.entries.get(key);
      if (!entry || this.closed) return this.runFresh(key, target, command, stdin, deadline);
      if (entry.busy >= this.options.maxChannelsPerConnection) {
        // As many checks of this host run on its connection as sshd opens sessions: wait for one to end.
        const waitStarted = performance.now();
        if (await this.channelFreed(entry, deadline)) continue;
        const waited = Math.round(performance.now() - waitStarted);
        return {
          ok: false,
          failure: { outcome: "probe_timeout", reason: `no channel free on the host's connection within the check's deadline (${this.options.maxChannelsPerConnection} checks of it running)` },
          timings: { connectMs: 0, handshakeMs: 0, commandMs: Math.max(0, waited) },
          retried: false,
          reused: true,
        };
      }
      const openTimeoutMs = Math.min(this.options.channelOpenTimeoutMs, target.commandTimeoutMs);
      const commandTarget = withinDeadline(target, deadline - performance.now());
      const result = await this.exec(entry, command, stdin, commandTarget, openTimeoutMs);
      const timings: SshTimings = { connectMs: 0, handshakeMs: 0, commandMs: result.commandMs };
      if (result.ok) {
        this.counters.reused += 1;
        return { ok: true, output: result.output, timings, retried: false, reused: true };
      }
      if (result.started) return { ok: false, failure: result.failure, timings, retried: false, reused: true };
      // Nothing ran: the kept connection failed before the probe started (it is closed), or the
      // server refused another channel on it (it lives on for its other checks). A fresh one.
      if (!result.channelRefused) this.drop(entry, "dead");
      this.counters.replaced += 1;
      const fresh = await this.runFresh(key, target, command, stdin, deadline);
      return { ...fresh, retried: true };
    }
  }

  /** Resolves true when a channel on the connection is free (or the connection is gone), false at the deadline. */
  private channelFreed(entry: Entry, deadline: number): Promise<boolean> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        resolve(true);
      };
      const timer = setTimeout(() => {
        entry.waiters.delete(wake);
        resolve(false);
      }, Math.max(0, deadline - performance.now()));
      entry.waiters.add(wake);
    });
  }

  /** Wakes the checks waiting for a channel on this connection (one freed, or the connection gone). */
  private wakeWaiters(entry: Entry, all: boolean): void {
    for (const wake of [...entry.waiters]) {
      entry.waiters.delete(wake);
      wake();
      if (!all) return;
    }
  }

  /** Closes every connection; later runs use a connection of their own each. */
  close(): void {
    this.closed = true;
    clearInterval(this.sweeper);
    for (const entry of [...this.entries.values()]) this.drop(entry, "shutdown");
  }

  private async exec(entry: Entry, command: string, stdin: string, target: SshTarget, openTimeoutMs?: number): Promise<ExecResult> {
    entry.busy += 1;
    const result = await execOnConnection(entry.connection.client, command, stdin, {
      commandTimeoutMs: target.commandTimeoutMs,
      maxOutputBytes: target.maxOutputBytes,
      ...(openTimeoutMs !== undefined ? { openTimeoutMs } : {}),
    });
    entry.busy -= 1;
    entry.lastUsed = Date.now();
    this.wakeWaiters(entry, false);
    if (entry.closeWhenIdle && entry.busy === 0) closeSshConnection(entry.connection);
    // An overrun probe was asked to die; the connection that carried it is not trusted again.
    // Other checks still running on it end on their own (their own deadline), then it closes.
    if (!result.ok && result.failure.outcome === "probe_timeout") this.drop(entry, "dead", { whenIdle: true });
    return result;
  }

  /** A new connection (kept if the pool has room), with the check's remaining deadline. */
  private async runFresh(key: string, target: PooledTarget, command: string, stdin: string, deadline: number): Promise<SshRunResult> {
    let resolveConnecting: () => void = () => {};
    const connecting = new Promise<void>((resolve) => (resolveConnecting = resolve));
    // The login is over (kept, or failed): checks waiting on it go on.
    const done = () => {
      if (this.connecting.get(key) === connecting) this.connecting.delete(key);
      resolveConnecting();
    };
    this.connecting.set(key, connecting);
    try {
      let retried = false;
      for (let attempt = 0; ; attempt++) {
        const timings: SshTimings = { connectMs: 0, handshakeMs: 0, commandMs: 0 };
        const remaining = () => Math.max(1, Math.round(deadline - performance.now()));
        const connected = await connectSsh(withinDeadline(target, remaining()), timings, {
          keepaliveIntervalMs: this.options.keepaliveIntervalMs,
          keepaliveCountMax: this.options.keepaliveCountMax,
          deadline,
        });
        if (!connected.ok) {
          // sshd's MaxStartups closes a burst's connections before the banner: try again, spread out, while there is time.
          const pause = connected.failure.reason === CLOSED_BEFORE_BANNER ? refusedHandshakePauseMs(attempt, deadline - performance.now()) : undefined;
          if (pause !== undefined) {
            retried = true;
            await sleep(pause);
            continue;
          }
          return { ok: false, failure: connected.failure, timings, retried };
        }
        this.counters.logins += 1;
        const entry = this.keep(key, target, connected.connection);
        const commandTarget = { ...target, commandTimeoutMs: Math.min(target.commandTimeoutMs, remaining()) };
        done();
        const result = entry
          ? await this.exec(entry, command, stdin, commandTarget)
          : await this.execUnkept(connected.connection, command, stdin, commandTarget);
        timings.commandMs = result.commandMs;
        return result.ok
          ? { ok: true, output: result.output, timings, retried, reused: false }
          : { ok: false, failure: result.failure as Failure, timings, retried, reused: false };
      }
    } finally {
      done();
    }
  }

  private async execUnkept(connection: SshConnection, command: string, stdin: string, target: SshTarget): Promise<ExecResult> {
    const result = await execOnConnection(connection.client, command, stdin, {
      commandTimeoutMs: target.commandTimeoutMs,
      maxOutputBytes: target.maxOutputBytes,
    });
    closeSshConnection(connection);
    return result;
  }

  /** Keeps a new connection if there is room (after evicting the least recently used idle one). */
  private keep(key: string, target: PooledTarget, connection: SshConnection): Entry | undefined {
    const previous = this.entries.get(key);
    // A kept connection still running checks is never closed under them: the new one is used once.
    if (previous && previous.busy > 0 && previous.settingsKey === target.settingsKey) return undefined;
    if (previous) this.drop(previous, "changed");
    if (this.closed) return undefined;
    if (this.entries.size >= this.options.maxConnections && !this.evictOne()) return undefined;
    const entry: Entry = {
      key,
      settingsKey: target.settingsKey,
      // Read after the handshake: a tofu check may just have pinned the key.
      trustKey: target.trustKey(),
      connection,
      busy: 0,
      waiters: new Set(),
      lastUsed: Date.now(),
      idleTimeoutMs: target.idleTimeoutMs ?? this.options.idleTimeoutMs,
    };
    connection.socket.setKeepAlive(true, this.options.keepaliveIntervalMs);
    const gone = () => {
      if (this.entries.get(key) === entry) this.drop(entry, "dead");
    };
    connection.client.on("close", gone);
    connection.client.on("error", gone);
    connection.client.setMaxListeners(0);
    this.entries.set(key, entry);
    return entry;
  }

  /** Closes the least recently used idle connection; false when every one is busy. */
  private evictOne(): boolean {
    // Map order is insertion order; a used entry is not moved, so scan for the oldest idle one.
    let oldest: Entry | undefined;
    for (const entry of this.entries.values()) {
      if (entry.busy === 0 && (!oldest || entry.lastUsed < oldest.lastUsed)) oldest = entry;
    }
    if (!oldest) return false;
    this.drop(oldest, "evicted");
    return true;
  }

  /** Takes a connection out of the pool and closes it: now, or (`whenIdle`) once the checks running on it end. */
  private drop(entry: Entry, why: keyof SshPoolStats["closed"], options: { whenIdle?: boolean } = {}): void {
    if (this.entries.get(entry.key) !== entry) return;
    this.entries.delete(entry.key);
    this.wakeWaiters(entry, true);
    this.counters.closed[why] += 1;
    if (options.whenIdle && entry.busy > 0) entry.closeWhenIdle = true;
    else closeSshConnection(entry.connection);
  }

  private sweep(now: number): void {
    for (const entry of [...this.entries.values()]) {
      if (entry.busy === 0 && now - entry.lastUsed >= entry.idleTimeoutMs) this.drop(entry, "idle");
    }
  }
}
