import type { Socket } from "node:net";
import ssh2 from "ssh2";
import type { Failure } from "../result/outcome.js";
import { formatDuration } from "../util/duration.js";
import type { HostKeyCheck } from "./host-key-check.js";
import type { SshTarget, SshTimings } from "./ssh-target.js";
import { tcpConnect } from "./tcp-connect.js";

/**
 * A server that closed the connection before its SSH banner: sshd's MaxStartups under a
 * burst (OpenSSH writes "Exceeded MaxStartups" first, then closes or resets). Worth a retry.
 */
export const CLOSED_BEFORE_BANNER = "the server closed the connection before its SSH banner (sshd refuses handshakes past MaxStartups under a burst)";


export interface SshConnection {
  client: ssh2.Client;
  socket: Socket;
  /** The host key the server showed and the check accepted. */
  hostKey: Buffer | undefined;
}

export type SshConnectResult = { ok: true; connection: SshConnection } | { ok: false; failure: Failure };

export interface ConnectOptions {
  /** ssh2 keepalive (global requests) for a connection that is kept; 0 for none. */
  keepaliveIntervalMs?: number;
  keepaliveCountMax?: number;
  /** The check's own deadline (performance.now() clock): the handshake gets at most what is left after the connect. */
  deadline?: number;
}

/**
 * TCP connect, SSH handshake with the host key verified, public-key login. Each stage has
 * its own deadline and its own outcome; on failure nothing is left open. `timings` is
 * filled in as the stages pass.
 */
export async function connectSsh(target: SshTarget, timings: SshTimings, options: ConnectOptions = {}): Promise<SshConnectResult> {
  const check = target.hostKeyCheck();
  if (!check.ok) return { ok: false, failure: check.error };
  const started = performance.now();
  const socket = await tcpConnect(target.address, target.port, target.connectTimeoutMs);
  timings.connectMs = Math.round(performance.now() - started);
  if (!socket.ok) return { ok: false, failure: { outcome: "unreachable", reason: socket.error } };
  const bounded =
    options.deadline === undefined
      ? target
      : { ...target, handshakeTimeoutMs: Math.max(1, Math.min(target.handshakeTimeoutMs, Math.round(options.deadline - performance.now()))) };
  try {
    return await handshake(bounded, check.value, socket.value, timings, options);
  } catch (bug) {
    // A bug must not leave the connection open behind it.
    socket.value.destroy();
    throw bug;
  }
}

/** Closes a connection politely (a last request can still reach sshd), then for sure. */
export function closeSshConnection(connection: SshConnection): void {
  // Listeners stay: a command still running on it learns that its connection went away.
  connection.client.on("error", () => {});
  connection.client.end();
  setTimeout(() => connection.socket.destroy(), 1_000).unref();
}

function handshake(target: SshTarget, check: HostKeyCheck, sock: Socket, timings: SshTimings, options: ConnectOptions): Promise<SshConnectResult> {
  return new Promise((resolve, reject) => {
    const client = new ssh2.Client();
    const started = performance.now();
    let hostKey: Buffer | undefined;
    let settled = false;
    let verifyBug: unknown;
    // Whether the server sent its SSH identification: text before it (sshd's "Exceeded
    // MaxStartups") followed by a close or reset is a refusal, not a failed handshake.
    // ssh2 keeps the line it parsed on its protocol object (no event says so).
    const identified = () => {
      const protocol = (client as unknown as { _protocol?: { _remoteIdentRaw?: Buffer } })._protocol;
      return protocol ? protocol._remoteIdentRaw !== undefined : sock.bytesRead > 0;
    };

    const finish = (result: SshConnectResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      timings.handshakeMs = Math.round(performance.now() - started);
      if (!result.ok) closeSshConnection({ client, socket: sock, hostKey });
      else {
        // The owner of the connection adds its own listeners; until then errors are not thrown.
        client.removeAllListeners();
        client.on("error", () => {});
      }
      resolve(result);
    };
    const fail = (outcome: Failure["outcome"], reason: string) => finish({ ok: false, failure: { outcome, reason } });

    const timer = setTimeout(() => {
      if (sock.bytesRead === 0) fail("ssh_timeout", `no SSH banner within ${formatDuration(target.handshakeTimeoutMs)}`);
      else fail("ssh_timeout", `SSH handshake did not finish within ${formatDuration(target.handshakeTimeoutMs)}`);
    }, target.handshakeTimeoutMs);

    client.on("error", (error: Error & { level?: string }) => {
      if (verifyBug !== undefined && !settled) {
        settled = true;
        clearTimeout(timer);
        client.removeAllListeners();
        client.on("error", () => {});
        sock.destroy();
        return reject(verifyBug instanceof Error ? verifyBug : new Error(String(verifyBug)));
      }
      const refusal = check.refusal();
      if (refusal) return finish({ ok: false, failure: refusal });
      if (error.level === "client-authentication") {
        return fail("auth_failed", `the server refused key authentication for user ${target.user}; is the public key in ~${target.user}/.ssh/authorized_keys?`);
      }
      if (!identified()) return fail("ssh_timeout", CLOSED_BEFORE_BANNER);
      if (check.algorithms && /no matching.*host key/i.test(error.message)) {
        return fail("hostkey_mismatch", `the host offers none of the key types known_hosts holds for it (${check.algorithms.join(", ")}); nothing was run`);
      }
      fail("ssh_timeout", `SSH handshake failed: ${error.message}`);
    });
    client.on("close", () => {
      if (!identified()) return fail("ssh_timeout", CLOSED_BEFORE_BANNER);
      fail("ssh_timeout", "the server closed the connection during the handshake");
    });
    client.on("ready", () => finish({ ok: true, connection: { client, socket: sock, hostKey } }));

    client.connect({
      sock,
      username: target.user,
      authHandler: [{ type: "publickey", username: target.user, key: target.key }] as never,
      hostVerifier: (key: Buffer) => {
        try {
          const accepted = check.verify(key);
          if (accepted) hostKey = key;
          return accepted;
        } catch (bug) {
          verifyBug = bug;
          return false;
        }
      },
      readyTimeout: 0,
      keepaliveInterval: options.keepaliveIntervalMs ?? 0,
      keepaliveCountMax: options.keepaliveCountMax ?? 3,
      ...(check.algorithms ? { algorithms: { serverHostKey: check.algorithms as never } } : {}),
    });
  });
}
