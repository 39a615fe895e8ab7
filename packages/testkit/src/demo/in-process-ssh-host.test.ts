import { userInfo } from "node:os";
import ssh2 from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ssh2KeyPair } from "../ssh2-key-pair.js";
import { waitFor } from "../wait-for.js";
import { startInProcessSshHost, type InProcessSshHost } from "./in-process-ssh-host.js";

const { Client } = ssh2;
const user = userInfo().username;
const hostKey = ssh2KeyPair();
const clientKey = ssh2KeyPair();
const strangerKey = ssh2KeyPair();

interface Exec {
  stdout: string;
  stderr: string;
  code: number | null;
}

/** Logs in with `privateKey` as `username`, runs `command` with `stdin`, and returns what came back. */
function exec(host: InProcessSshHost, privateKey: string, command: string, stdin: string, username = user): Promise<Exec> {
  return new Promise((resolve, reject) => {
    const client = new Client();
    client.on("error", reject);
    client.on("ready", () => {
      client.exec(command, (error, stream) => {
        if (error) return reject(error);
        const out: Exec = { stdout: "", stderr: "", code: null };
        stream.on("data", (d: Buffer) => (out.stdout += d.toString()));
        stream.stderr.on("data", (d: Buffer) => (out.stderr += d.toString()));
        stream.on("exit", (code: number | null) => (out.code = code));
        stream.on("close", () => {
          client.end();
          resolve(out);
        });
        stream.end(stdin);
      });
    });
    client.connect({ host: host.address, port: host.port, username, privateKey, readyTimeout: 10_000 });
  });
}

let host: InProcessSshHost;
beforeAll(async () => {
  host = await startInProcessSshHost({ address: "127.0.0.1", hostKey: hostKey.private, user, authorizedKey: clientKey.public });
});
afterAll(async () => {
  await host?.close();
});

describe("in-process SSH host (the demo's stand-in for sshd)", () => {
  it("runs the command under sh with its stdin, and returns stdout, stderr and the exit status", async () => {
    const result = await exec(host, clientKey.private, "sh -s", 'echo "from $0"; echo oops >&2; exit 3');
    expect(result).toEqual({ stdout: "from sh\n", stderr: "oops\n", code: 3 });
  });

  it("does not hand the demo's environment to the command", async () => {
    process.env.FLEETWATCH_DEMO_SECRET_PROBE = "leak";
    const result = await exec(host, clientKey.private, "sh -s", 'echo "[$FLEETWATCH_DEMO_SECRET_PROBE]"; echo "$PATH"');
    delete process.env.FLEETWATCH_DEMO_SECRET_PROBE;
    expect(result.stdout).toMatch(/^\[\]\n\/usr\/local\/sbin:/);
  });

  it("refuses a key that is not authorized, and a user that is not the demo's", async () => {
    await expect(exec(host, strangerKey.private, "true", "")).rejects.toThrow(/authentication methods failed/);
    await expect(exec(host, clientKey.private, "true", "", "someone-else")).rejects.toThrow(/authentication methods failed/);
  });

  it("kills the command when the client goes away, as sshd does", async () => {
    const pid = await new Promise<number>((resolve, reject) => {
      const client = new Client();
      client.on("error", reject);
      client.on("ready", () =>
        client.exec("echo $$; exec sleep 30", (error, stream) => {
          if (error) return reject(error);
          stream.once("data", (d: Buffer) => {
            resolve(Number(d.toString().trim()));
            client.end();
          });
        }),
      );
      client.connect({ host: host.address, port: host.port, username: user, privateKey: clientKey.private });
    });
    await waitFor("the command to be killed", () => {
      try {
        process.kill(pid, 0);
        return false;
      } catch {
        return true;
      }
    }, 10_000);
  });
});
