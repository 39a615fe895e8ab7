import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";
import { findTool } from "./openssh-tools.js";
import { plainSpawner, type Spawner } from "./spawner.js";

export interface RedisHandle {
  url: string;
  port: number;
  /** Its working directory, removed by stop(). */
  dir: string;
  stop(): Promise<void>;
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (d) => {
      socket.destroy();
      resolve(d.toString().startsWith("+PONG"));
    });
    socket.once("error", () => resolve(false));
  });
}

/** A private redis-server on a free loopback port, as BullMQ wants it (noeviction), gone after stop(). */
export async function startRedis(options: { spawner?: Spawner } = {}): Promise<RedisHandle> {
  const port = await freePort();
  const dir = mkdtempSync(join(tmpdir(), "fleetwatch-redis-"));
  const child: ChildProcess = (options.spawner ?? plainSpawner)(
    findTool("redis-server", "redis-server"),
    ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--maxmemory-policy", "noeviction", "--dir", dir],
    { stdio: "ignore" },
  );
  const deadline = Date.now() + 10_000;
  while (!(await ping(port))) {
    if (child.exitCode !== null || Date.now() > deadline) {
      child.kill("SIGKILL");
      rmSync(dir, { recursive: true, force: true });
      throw new Error(`redis-server on port ${port} did not start`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return {
    url: `redis://127.0.0.1:${port}`,
    port,
    dir,
    stop: () =>
      new Promise<void>((resolve) => {
        const removeDir = () => {
          rmSync(dir, { recursive: true, force: true });
          resolve();
        };
        if (child.exitCode !== null || child.signalCode !== null) return removeDir();
        child.once("exit", removeDir);
        child.kill("SIGTERM");
      }),
  };
}
