import ssh2 from "ssh2";
import type { Result } from "../util/result.js";
import { err, ok } from "../util/result.js";

/**
 * The host key a server shows, read in the handshake and refused there: the connection ends
 * before any login, so nothing runs on the host. For trust on first use, to store the first
 * key before a check may run anything.
 */
export function fetchHostKey(address: string, port: number, timeoutMs: number): Promise<Result<Buffer, string>> {
  return new Promise((resolve) => {
    const client = new ssh2.Client();
    let shown: Buffer | undefined;
    let settled = false;
    const finish = (why: string) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      client.end();
      client.destroy();
      resolve(shown ? ok(shown) : err(why));
    };
    const timer = setTimeout(() => finish(`no host key from ${address}:${port} within ${timeoutMs} ms`), timeoutMs);
    client.on("error", (error: Error) => finish(`reading the host key of ${address}:${port} failed: ${error.message}`));
    client.on("close", () => finish(`${address}:${port} closed the connection before showing its host key`));
    client.connect({
      host: address,
      port,
      username: "fleetwatch-host-key",
      readyTimeout: timeoutMs,
      hostVerifier: (key: Buffer) => {
        shown = key;
        return false;
      },
    });
  });
}
