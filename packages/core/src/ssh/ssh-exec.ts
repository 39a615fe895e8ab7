import type { ClientChannel } from "ssh2";
import type ssh2 from "ssh2";
import type { Failure } from "../result/outcome.js";
import { formatDuration } from "../util/duration.js";
import type { CommandOutput } from "./ssh-target.js";

export interface ExecOptions {
  commandTimeoutMs: number;
  maxOutputBytes: number;
  /**
   * How long the server may take to open the channel (on a kept connection: a dead or
   * half-open connection shows here). Past it, with no exec request sent yet, the exec fails
   * as not started. @defaultValue the command deadline
   */
  openTimeoutMs?: number;
}

export type ExecResult =
  | { ok: true; output: CommandOutput; commandMs: number }
  /**
   * `started`: the exec request may have reached the host, so the command must not be run
   * again. `channelRefused`: the server answered that it will not open another channel
   * (sshd's MaxSessions): the connection itself is alive.
   */
  | { ok: false; failure: Failure; commandMs: number; started: boolean; channelRefused?: boolean };

interface InternalClient {
  _protocol?: { exec?: (...args: unknown[]) => unknown; signal?: (id: number, name: string) => void };
}

/** Exec requests sent on each connection, counted at ssh2's protocol layer. */
const execRequests = new WeakMap<object, { sent: number }>();

/**
 * ssh2 sends the exec request as soon as the server confirms the channel, with no event in
 * between; counting the requests on the connection tells an open that never happened
 * (safe to retry elsewhere) from a command that may already run on the host.
 */
function execCounter(client: ssh2.Client): { sent: number } {
  let counter = execRequests.get(client);
  if (counter) return counter;
  counter = { sent: 0 };
  execRequests.set(client, counter);
  const protocol = (client as unknown as InternalClient)._protocol;
  const exec = protocol?.exec;
  if (protocol && typeof exec === "function") {
    const count = counter;
    protocol.exec = function (this: unknown, ...args: unknown[]) {
      count.sent += 1;
      return exec.apply(this, args);
    };
  }
  return counter;
}

/**
 * Asks sshd to kill the command (RFC 4254 "signal"; OpenSSH ≥ 7.9 honours it for sessions
 * without a forced command). ssh2's `Channel.signal()` stays silent once stdin is ended —
 * and the probe's stdin always is — so the request goes through the channel's protocol.
 */
export function sendKill(channel: ClientChannel): void {
  const internal = channel as unknown as { outgoing?: { id?: number; state?: string }; _client?: InternalClient };
  const id = internal.outgoing?.id;
  const protocol = internal._client?._protocol;
  const state = internal.outgoing?.state;
  if ((state !== "open" && state !== "eof") || id === undefined || typeof protocol?.signal !== "function") return;
  try {
    protocol.signal(id, "KILL");
  } catch {}
}

/**
 * Runs one command on an authenticated connection: a new session channel, `stdin` as its
 * input, stdout and stderr drained and bounded, a deadline on the channel opening and one
 * on the whole command. The connection stays open unless the command overran (then the
 * caller closes it, after the KILL request went out).
 */
export function execOnConnection(client: ssh2.Client, command: string, stdin: string, options: ExecOptions): Promise<ExecResult> {
  return new Promise((resolve) => {
    const started = performance.now();
    const counter = execCounter(client);
    const sentBefore = counter.sent;
    const requested = () => counter.sent !== sentBefore;
    let settled = false;
    let opened = false;
    let channel: ClientChannel | undefined;
    let openTimer: NodeJS.Timeout | undefined;

    const finish = (result: { ok: true; output: CommandOutput } | { ok: false; failure: Failure; started: boolean; channelRefused?: boolean }) => {
      if (settled) return;
      settled = true;
      clearTimeout(commandTimer);
      clearTimeout(openTimer);
      client.removeListener("close", onClose);
      client.removeListener("error", onError);
      resolve({ ...result, commandMs: Math.round(performance.now() - started) });
    };
    const notStarted = (reason: string) => finish({ ok: false, failure: { outcome: "probe_failed", reason }, started: false });
    const onClose = () => {
      if (!opened && !requested()) return notStarted("the connection closed before the channel opened");
      finish({ ok: false, failure: { outcome: "probe_failed", reason: "the server closed the connection during the command" }, started: true });
    };
    const onError = (error: Error) => {
      if (!opened && !requested()) return notStarted(`the connection failed before the channel opened: ${error.message}`);
      finish({ ok: false, failure: { outcome: "probe_failed", reason: `SSH connection failed during the probe: ${error.message}` }, started: true });
    };
    client.on("close", onClose);
    client.on("error", onError);

    const commandTimer = setTimeout(() => {
      // Without a pty, sshd leaves a command running when the client goes away: ask it to
      // kill the probe, so a hung check does not leave a process behind on every interval.
      if (channel) sendKill(channel);
      finish({
        ok: false,
        failure: { outcome: "probe_timeout", reason: `the probe did not finish within ${formatDuration(options.commandTimeoutMs)}` },
        started: opened || requested(),
      });
    }, options.commandTimeoutMs);
    if (options.openTimeoutMs !== undefined && options.openTimeoutMs < options.commandTimeoutMs) {
      openTimer = setTimeout(() => {
        if (!opened && !requested()) notStarted(`the connection did not open a channel within ${formatDuration(options.openTimeoutMs!)}`);
      }, options.openTimeoutMs);
    }

    try {
      client.exec(command, (error, stream) => {
        if (settled) {
          stream?.close();
          return;
        }
        if (error) {
          // A channel open failure comes before any exec request on this channel (the
          // connection's request count may have moved for other checks' channels).
          if ((error as Error & { reason?: unknown }).reason !== undefined) {
            return finish({ ok: false, failure: { outcome: "probe_failed", reason: `the server refused to open a channel: ${error.message}` }, started: false, channelRefused: true });
          }
          if (!requested()) return notStarted(`the server refused to open a channel: ${error.message}`);
          return finish({ ok: false, failure: { outcome: "probe_failed", reason: `the server refused to run the probe: ${error.message}` }, started: true });
        }
        opened = true;
        channel = stream;
        const stdout: Buffer[] = [];
        const stderr: Buffer[] = [];
        let bytes = 0;
        let exitCode: number | null = null;
        let signal: string | null = null;
        const take = (into: Buffer[]) => (chunk: Buffer) => {
          bytes += chunk.length;
          if (bytes > options.maxOutputBytes) {
            stream.close();
            return finish({
              ok: false,
              failure: { outcome: "probe_failed", reason: `the probe printed more than ${options.maxOutputBytes} bytes; output cut off` },
              started: true,
            });
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
            output: { stdout: Buffer.concat(stdout).toString("utf8"), stderr: Buffer.concat(stderr).toString("utf8"), exitCode, signal },
          }),
        );
        stream.on("error", () => {});
        stream.end(stdin);
      });
    } catch (error) {
      notStarted(`the connection was already closed (${(error as Error).message})`);
    }
  });
}
