import type { SshTarget } from "./ssh-target.js";

/** Time a retried handshake needs at least, after its pause. */
export const HANDSHAKE_ROOM_MS = 1_000;

/**
 * The pause before trying again a connection the server closed before its SSH banner
 * (sshd's MaxStartups under a burst): random, so a burst spreads out, doubling with each
 * attempt, and only while the check's deadline leaves room for a handshake after it.
 * `undefined`: no room left, the refusal is the check's outcome.
 */
export function refusedHandshakePauseMs(attempt: number, remainingMs: number, random: () => number = Math.random): number | undefined {
  const room = remainingMs - HANDSHAKE_ROOM_MS;
  if (room <= 0) return undefined;
  return Math.min(room, Math.round((100 + random() * 400) * 2 ** Math.min(attempt, 4)));
}

/**
 * The target with each stage's deadline cut to what is left of the check's own. Stages run
 * one after the other, so each is cut again when it starts (connectSsh's `deadline`).
 */
export function withinDeadline<T extends SshTarget>(target: T, remainingMs: number): T {
  const remaining = Math.max(1, Math.round(remainingMs));
  return {
    ...target,
    connectTimeoutMs: Math.min(target.connectTimeoutMs, remaining),
    handshakeTimeoutMs: Math.min(target.handshakeTimeoutMs, remaining),
    commandTimeoutMs: Math.min(target.commandTimeoutMs, remaining),
  };
}

/** A check's own deadline (performance.now() clock): connect, handshake and command. */
export const checkDeadline = (target: SshTarget): number => performance.now() + target.connectTimeoutMs + target.handshakeTimeoutMs + target.commandTimeoutMs;
