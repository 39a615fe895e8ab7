import type { Agent } from "node:http";
import { request } from "node:http";
import { connect } from "node:net";

/** Writes bytes to host:port as they are and collects what comes back until the server closes or `timeoutMs`. */
export function rawExchange(base: string, bytes: Buffer | string, timeoutMs = 5_000): Promise<{ reply: string; closed: boolean }> {
  const url = new URL(base);
  return new Promise((resolve) => {
    const socket = connect({ host: url.hostname, port: Number(url.port) });
    let reply = "";
    let settled = false;
    const done = (closed: boolean) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      socket.destroy();
      resolve({ reply, closed });
    };
    const timer = setTimeout(() => done(false), timeoutMs);
    socket.on("connect", () => socket.write(bytes));
    socket.on("data", (chunk) => (reply += chunk.toString("latin1")));
    socket.on("close", () => done(true));
    socket.on("error", () => done(true));
  });
}

export interface RawResponse {
  status: number;
  body: string;
}

/**
 * One HTTP request with the path sent exactly as given (fetch and URL would resolve `..`
 * and re-encode), so a traversal attempt reaches the server as an attacker writes it.
 */
export function rawRequest(base: string, path: string, headers: Record<string, string> = {}, agent?: Agent): Promise<RawResponse> {
  const url = new URL(base);
  return new Promise((resolve, reject) => {
    const req = request({ host: url.hostname, port: Number(url.port), path, method: "GET", headers, ...(agent ? { agent } : {}) }, (res) => {
      let body = "";
      res.setEncoding("latin1");
      res.on("data", (chunk: string) => (body += chunk));
      res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      res.on("error", reject);
    });
    req.setTimeout(30_000, () => req.destroy(new Error(`no answer to ${path} in 30 s`)));
    req.on("error", reject);
    req.end();
  });
}
