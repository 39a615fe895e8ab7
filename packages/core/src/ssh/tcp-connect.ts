import { Socket } from "node:net";
import type { Result } from "../util/result.js";
import { err, ok } from "../util/result.js";
import { formatDuration } from "../util/duration.js";

const REASONS: Record<string, string> = {
  ECONNREFUSED: "connection refused (is sshd running and listening on that port?)",
  EHOSTUNREACH: "no route to host",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "DNS lookup failed: no such host name",
  EAI_AGAIN: "DNS lookup failed temporarily",
  ECONNRESET: "connection reset",
};

/**
 * Opens the one TCP connection a check uses; the socket is then handed to SSH, so a check
 * never knocks twice (a bare connect-and-close fills auth logs and trips fail2ban).
 */
export function tcpConnect(address: string, port: number, timeoutMs: number): Promise<Result<Socket, string>> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const timer = setTimeout(() => {
      socket.destroy();
      resolve(err(`TCP connect to port ${port} timed out after ${formatDuration(timeoutMs)}`));
    }, timeoutMs);
    socket.once("connect", () => {
      clearTimeout(timer);
      socket.removeAllListeners("error");
      resolve(ok(socket));
    });
    socket.once("error", (error: NodeJS.ErrnoException) => {
      clearTimeout(timer);
      socket.destroy();
      const why = (error.code && REASONS[error.code]) ?? error.message;
      resolve(err(`TCP connect to port ${port}: ${why}`));
    });
    socket.setNoDelay(true);
    socket.connect({ host: address, port });
  });
}
