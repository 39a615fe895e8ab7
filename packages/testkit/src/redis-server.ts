import type { ChildProcess } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { freePort } from "./free-port.js";
import { findTool } from "./openssh-tools.js";
import { plainSpawner, type Spawner } from "./spawner.js";

export interface RedisHandle {
  /** redis://[:password@]127.0.0.1:port */
  url: string;
  port: number;
  /** Its working directory, removed by stop(). */
  dir: string;
  /** Kills Redis (SIGKILL, as a crash) and starts it again on the same port with the same data. */
  restart(): Promise<void>;
  /** Kills Redis (SIGKILL) and leaves it down; `restart()` brings it back. */
  kill(): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisOptions {
  /** Port to listen on. @defaultValue a free one */
  port?: number;
  /** `--requirepass`: clients must AUTH with it. */
  password?: string;
  /** Append-only file with `appendfsync always`, so a killed Redis loses nothing. @defaultValue false */
  persistent?: boolean;
  /** How redis-server is started. @defaultValue plainSpawner */
  spawner?: Spawner;
  /** More redis-server arguments (a cluster node's, for example). @defaultValue none */
  extraArgs?: readonly string[];
}

function ping(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = connect({ host: "127.0.0.1", port });
    socket.once("connect", () => socket.write("PING\r\n"));
    socket.once("data", (d) => {
      socket.destroy();
      // A server with requirepass answers -NOAUTH: it is up all the same.
      resolve(d.toString().startsWith("+PONG") || d.toString().startsWith("-NOAUTH"));
    });
    socket.once("error", () => resolve(false));
  });
}

const exited = (child: ChildProcess) =>
  new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once("exit", () => resolve());
  });

/** A private redis-server on a free loopback port, as BullMQ wants it (noeviction), gone after stop(). */
export async function startRedis(options: RedisOptions = {}): Promise<RedisHandle> {
  const port = options.port ?? (await freePort());
  const dir = mkdtempSync(join(tmpdir(), "fleetwatch-redis-"));
  const args = ["--port", String(port), "--bind", "127.0.0.1", "--save", "", "--maxmemory-policy", "noeviction", "--dir", dir];
  args.push(...(options.persistent ? ["--appendonly", "yes", "--appendfsync", "always"] : ["--appendonly", "no"]));
  if (options.password) args.push("--requirepass", options.password);
  args.push(...(options.extraArgs ?? []));
  let child: ChildProcess | undefined;
  const launch = async () => {
    const started = (options.spawner ?? plainSpawner)(findTool("redis-server", "redis-server"), args, { stdio: "ignore" });
    child = started;
    const deadline = Date.now() + 10_000;
    while (!(await ping(port))) {
      if (started.exitCode !== null || Date.now() > deadline) {
        started.kill("SIGKILL");
        throw new Error(`redis-server on port ${port} did not start`);
      }
      await new Promise((r) => setTimeout(r, 25));
    }
  };
  const kill = async () => {
    if (!child) return;
    const running = child;
    child = undefined;
    running.kill("SIGKILL");
    await exited(running);
  };
  try {
    await launch();
  } catch (error) {
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: `redis://${options.password ? `:${encodeURIComponent(options.password)}@` : ""}127.0.0.1:${port}`,
    port,
    dir,
    kill,
    async restart() {
      await kill();
      await launch();
    },
    async stop() {
      const running = child;
      child = undefined;
      if (running) {
        running.kill("SIGTERM");
        await exited(running);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
