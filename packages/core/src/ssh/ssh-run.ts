import type { Socket } from "node:net";
import ssh2, { type ClientChannel, type ParsedKey } from "ssh2";
import type { Failure } from "../result/outcome.js";
import { formatDuration } from "../util/duration.js";
import type { Result } from "../util/result.js";
import type { HostKeyCheck } from "./host-key-check.js";
import { tcpConnect } from "./tcp-connect.js";

export interface SshTarget {
  address: string;
  port: number;
  user: string;
  key: ParsedKey;
  /**
   * A fresh check for each attempt (it remembers what it refused), made before connecting:
   * a failure here (known_hosts unreadable) ends the attempt without opening a connection.
   */
  hostKeyCheck: () => Result<HostKeyCheck, Failure>;
  connectTimeoutMs: number;
  handshakeTimeoutMs: number;
  commandTimeoutMs: number;
  /** stdout and stderr together are cut off past this many bytes. */
  maxOutputBytes: number;
}

export interface CommandOutput {
  stdout: string;
  stderr: string;
  exitCode: number | null;
  signal: string | null;
}

export interface SshTimings {
  connectMs: number;
  handshakeMs: number;
  commandMs: number;
}

export type SshRunResult =
  | { ok: true; output: CommandOutput; timings: SshTimings; retried: boolean }
  | { ok: false; failure: Failure; timings: SshTimings; retried: boolean };

/** A server that closed the connection before its banner: sshd's MaxStartups under a burst. */
const CLOSED_BEFORE_BANNER = "the server closed the connection before its SSH banner";

/**
 * One check's SSH conversation: TCP connect, handshake with the host key verified, one
 * exec with `stdin` as its input. Each stage has its own deadline and its own outcome; on
 * any failure the connection is torn down. A connection closed before the banner is
 * retried once, after a short random pause.
 */
export async function runOverSsh(target: SshTarget, command: string, stdin: string): Promise<SshRunResult> {
  const first = await attempt(target, command, stdin);
  if (first.ok || first.failure.reason !== CLOSED_BEFORE_BANNER) return { ...first, retried: false };
  await new Promise((r) => setTimeout(r, 100 + Math.random() * 400));
  return { ...(await attempt(target, command, stdin)), retried: true };
}

/**
 * Asks sshd to kill the command (RFC 4254 "signal"; OpenSSH ≥ 7.9 honours it for sessions
 * without a forced command). ssh2's `Channel.signal()` stays silent once stdin is ended —
 * and the probe's stdin always is — so the request goes through the channel's protocol.
 */
function sendKill(channel: ClientChannel): void {
  const internal = channel as unknown as { outgoing?: { id?: number; state?: string }; _client?: { _protocol?: { signal?: (id: number, name: string) => void } } };
  const id = internal.outgoing?.id;
  const protocol = internal._client?._protocol;
  const state = internal.outgoing?.state;
  if ((state !== "open" && state !== "eof") || id === undefined || typeof protocol?.signal !== "function") return;
  try {
    protocol.signal(id, "KILL");
  } catch {}
}

type AttemptResult =
  | { ok: true; output: CommandOutput; timings: SshTimings }
  | { ok: false; failure: Failure; timings: SshTimings };

async function attempt(target: SshTarget, command: string, stdin: string): Promise<AttemptResult> {
  const timings: SshTimings = { connectMs: 0, handshakeMs: 0, commandMs: 0 };
  const check = target.hostKeyCheck();
  if (!check.ok) return { ok: false, failure: check.error, timings };
  const started = performance.now();
  const socket = await tcpConnect(target.address, target.port, target.connectTimeoutMs);
  timings.connectMs = Math.round(performance.now() - started);
  if (!socket.ok) return { ok: false, failure: { outcome: "unreachable", reason: socket.error }, timings };
  try {
    return await converse(target, check.value, socket.value, command, stdin, timings);
  } catch (bug) {
    // A bug must not leave the connection open behind it.
    socket.value.destroy();
    throw bug;
  }
}

function converse(target: SshTarget, check: HostKeyCheck, sock: Socket, command: string, stdin: string, timings: SshTimings): Promise<AttemptResult> {
  return new Promise((resolve, reject) => {
    const conn = new ssh2.Client();
    let stage: "handshake" | "command" = "handshake";
    let stageStarted = performance.now();
    let settled = false;
    let timer: NodeJS.Timeout | undefined;
    let channel: ClientChannel | undefined;
    let verifyBug: unknown;

    const finish = (result: { ok: true; output: CommandOutput } | { ok: false; failure: Failure }) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      const elapsed = Math.round(performance.now() - stageStarted);
      if (stage === "handshake") timings.handshakeMs = elapsed;
      else timings.commandMs = elapsed;
      conn.removeAllListeners();
      conn.on("error", () => {});
      // A polite close lets a last request (the probe's KILL) reach sshd; the socket goes anyway.
      conn.end();
      setTimeout(() => sock.destroy(), 1_000).unref();
      resolve({ ...result, timings });
    };
    const fail = (outcome: Failure["outcome"], reason: string) => finish({ ok: false, failure: { outcome, reason } });

    timer = setTimeout(() => {
      if (sock.bytesRead === 0) fail("ssh_timeout", `no SSH banner within ${formatDuration(target.handshakeTimeoutMs)}`);
      else fail("ssh_timeout", `SSH handshake did not finish within ${formatDuration(target.handshakeTimeoutMs)}`);
    }, target.handshakeTimeoutMs);

    conn.on("error", (error: Error & { level?: string }) => {
      if (stage === "command") return fail("probe_failed", `SSH connection failed during the probe: ${error.message}`);
      if (verifyBug !== undefined) {
        settled = true;
        clearTimeout(timer);
        conn.removeAllListeners();
        conn.on("error", () => {});
        sock.destroy();
        return reject(verifyBug instanceof Error ? verifyBug : new Error(String(verifyBug)));
      }
      const refusal = check.refusal();
      if (refusal) return finish({ ok: false, failure: refusal });
      if (error.level === "client-authentication") {
        return fail("auth_failed", `the server refused key authentication for user ${target.user}; is the public key in ~${target.user}/.ssh/authorized_keys?`);
      }
      if (sock.bytesRead === 0) return fail("ssh_timeout", CLOSED_BEFORE_BANNER);
      if (check.algorithms && /no matching.*host key/i.test(error.message)) {
        return fail("hostkey_mismatch", `the host offers none of the key types known_hosts holds for it (${check.algorithms.join(", ")}); nothing was run`);
      }
      fail("ssh_timeout", `SSH handshake failed: ${error.message}`);
    });
    conn.on("close", () => {
      if (settled) return;
      if (stage === "handshake" && sock.bytesRead === 0) return fail("ssh_timeout", CLOSED_BEFORE_BANNER);
      fail(stage === "handshake" ? "ssh_timeout" : "probe_failed", `the server closed the connection during the ${stage}`);
    });

    conn.on("ready", () => {
      timings.handshakeMs = Math.round(performance.now() - stageStarted);
      stage = "command";
      stageStarted = performance.now();
      clearTimeout(timer);
      timer = setTimeout(() => {
        // Without a pty, sshd leaves a command running when the client goes away: ask it to
        // kill the probe, so a hung check does not leave a process behind on every interval.
        if (channel) sendKill(channel);
        fail("probe_timeout", `the probe did not finish within ${formatDuration(target.commandTimeoutMs)}`);
      }, target.commandTimeoutMs);
      conn.exec(command, (error, stream) => {
        if (error) return fail("probe_failed", `the server refused to run the probe: ${error.message}`);
        channel = stream;
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let bytes = 0;
        let exitCode: number | null = null;
        let signal: string | null = null;
        const take = (into: Buffer[]) => (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > target.maxOutputBytes) {
            stream.close();
            return fail("probe_failed", `the probe printed more than ${target.maxOutputBytes} bytes; output cut off`);
          }
          into.push(chunk);
        };
        stream.on("data", take(stdout));
        stream.stderr.on("data", take(stderr));
        stream.on("exit", (code: number | null, sig?: string) => {
          exitCode = code;
          signal = sig ?? null;
        });
        stream.on("close", () =>
          finish({
            ok: true,
            output: {
              stdout: Buffer.concat(stdout).toString("utf8"),
              stderr: Buffer.concat(stderr).toString("utf8"),
              exitCode,
              signal,
            },
          }),
        );
        stream.on("error", () => {});
        stream.end(stdin);
      });
    });

    conn.connect({
      sock,
      username: target.user,
      authHandler: [{ type: "publickey", username: target.user, key: target.key }] as never,
      hostVerifier: (key: Buffer) => {
        try {
          return check.verify(key);
        } catch (bug) {
          verifyBug = bug;
          return false;
        }
      },
      readyTimeout: 0,
      keepaliveInterval: 0,
      ...(check.algorithms ? { algorithms: { serverHostKey: check.algorithms as never } } : {}),
    });
  });
}
