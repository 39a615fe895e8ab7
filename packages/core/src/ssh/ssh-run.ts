import type { Failure } from "../result/outcome.js";
import { checkDeadline, refusedHandshakePauseMs, withinDeadline } from "./refused-handshake-retry.js";
import { CLOSED_BEFORE_BANNER, closeSshConnection, connectSsh } from "./ssh-connect.js";
import { execOnConnection } from "./ssh-exec.js";
import type { CommandOutput, SshRunResult, SshTarget, SshTimings } from "./ssh-target.js";

export type { CommandOutput, SshRunResult, SshTarget, SshTimings } from "./ssh-target.js";

/**
 * One check's SSH conversation on a connection of its own: TCP connect, handshake with the
 * host key verified, one exec with `stdin` as its input, then the connection is closed.
 * Each stage has its own deadline and its own outcome. A connection closed before the
 * banner (sshd's MaxStartups under a burst) is tried again after a random, growing pause,
 * while the check's own deadline (connect + handshake + command) leaves room.
 */
export async function runOverSsh(target: SshTarget, command: string, stdin: string): Promise<SshRunResult> {
  const deadline = checkDeadline(target);
  for (let attemptNo = 0; ; attemptNo++) {
    const result = await attempt(withinDeadline(target, deadline - performance.now()), command, stdin, deadline);
    const retried = attemptNo > 0;
    if (result.ok || result.failure.reason !== CLOSED_BEFORE_BANNER) return { ...result, retried };
    const pause = refusedHandshakePauseMs(attemptNo, deadline - performance.now());
    if (pause === undefined) return { ...result, retried };
    await new Promise((r) => setTimeout(r, pause));
  }
}

type AttemptResult =
  | { ok: true; output: CommandOutput; timings: SshTimings }
  | { ok: false; failure: Failure; timings: SshTimings };

async function attempt(target: SshTarget, command: string, stdin: string, deadline: number): Promise<AttemptResult> {
  const timings: SshTimings = { connectMs: 0, handshakeMs: 0, commandMs: 0 };
  const connected = await connectSsh(target, timings, { deadline });
  if (!connected.ok) return { ok: false, failure: connected.failure, timings };
  const result = await execOnConnection(connected.connection.client, command, stdin, {
    commandTimeoutMs: Math.max(1, Math.min(target.commandTimeoutMs, Math.round(deadline - performance.now()))),
    maxOutputBytes: target.maxOutputBytes,
  });
  timings.commandMs = result.commandMs;
  closeSshConnection(connected.connection);
  return result.ok ? { ok: true, output: result.output, timings } : { ok: false, failure: result.failure, timings };
}
