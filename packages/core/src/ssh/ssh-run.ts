import type { Failure } from "../result/outcome.js";
import { CLOSED_BEFORE_BANNER, closeSshConnection, connectSsh } from "./ssh-connect.js";
import { execOnConnection } from "./ssh-exec.js";
import type { CommandOutput, SshRunResult, SshTarget, SshTimings } from "./ssh-target.js";

export type { CommandOutput, SshRunResult, SshTarget, SshTimings } from "./ssh-target.js";

/**
 * One check's SSH conversation on a connection of its own: TCP connect, handshake with the
 * host key verified, one exec with `stdin` as its input, then the connection is closed.
 * Each stage has its own deadline and its own outcome. A connection closed before the
 * banner is retried once, after a short random pause.
 */
export async function runOverSsh(target: SshTarget, command: string, stdin: string): Promise<SshRunResult> {
  const first = await attempt(target, command, stdin);
  if (first.ok || first.failure.reason !== CLOSED_BEFORE_BANNER) return { ...first, retried: false };
  await new Promise((r) => setTimeout(r, 100 + Math.random() * 400));
  return { ...(await attempt(target, command, stdin)), retried: true };
}

type AttemptResult =
  | { ok: true; output: CommandOutput; timings: SshTimings }
  | { ok: false; failure: Failure; timings: SshTimings };

async function attempt(target: SshTarget, command: string, stdin: string): Promise<AttemptResult> {
  const timings: SshTimings = { connectMs: 0, handshakeMs: 0, commandMs: 0 };
  const connected = await connectSsh(target, timings);
  if (!connected.ok) return { ok: false, failure: connected.failure, timings };
  const result = await execOnConnection(connected.connection.client, command, stdin, {
    commandTimeoutMs: target.commandTimeoutMs,
    maxOutputBytes: target.maxOutputBytes,
  });
  timings.commandMs = result.commandMs;
  closeSshConnection(connected.connection);
  return result.ok ? { ok: true, output: result.output, timings } : { ok: false, failure: result.failure, timings };
}
