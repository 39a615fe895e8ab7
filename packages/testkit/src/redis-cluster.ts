import { Cluster, Redis } from "ioredis";
import { freePort } from "./free-port.js";
import { findTool } from "./openssh-tools.js";
import type { RedisHandle } from "./redis-server.js";
import { startRedis } from "./redis-server.js";
import { run } from "./run-command.js";
import { waitFor } from "./wait-for.js";

export interface RedisClusterHandle {
  /** REDIS_URL for the apps: every master as a seed node, comma-separated. */
  url: string;
  /** The masters, one redis-server each. */
  nodes: RedisHandle[];
  /** An ioredis Cluster client on it (the caller disconnects it). */
  client(): Redis;
  /** FLUSHALL on every master: a bare FLUSHALL through a cluster client reaches one node only. */
  flushAll(): Promise<void>;
  stop(): Promise<void>;
}

export interface RedisClusterOptions {
  /** Masters (no replicas); each gets a share of the 16,384 slots. @defaultValue 3 */
  masters?: number;
}

async function clusterInfo(port: number): Promise<string> {
  const client = new Redis({ host: "127.0.0.1", port, lazyConnect: true, maxRetriesPerRequest: 1, retryStrategy: () => null });
  try {
    await client.connect();
    return String(await client.call("CLUSTER", "INFO"));
  } catch {
    return "";
  } finally {
    client.disconnect();
  }
}

/**
 * A Redis Cluster of `masters` redis-servers on free loopback ports, slots spread over them
 * (`redis-cli --cluster create … --cluster-replicas 0`), ready once every node says
 * `cluster_state:ok`. Each node's cluster bus gets its own free port.
 */
export async function startRedisCluster(options: RedisClusterOptions = {}): Promise<RedisClusterHandle> {
  const count = options.masters ?? 3;
  const nodes: RedisHandle[] = [];
  const stopAll = () => Promise.all(nodes.map((n) => n.stop()));
  try {
    for (let i = 0; i < count; i++) {
      const busPort = await freePort();
      nodes.push(await startRedis({ extraArgs: ["--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf", "--cluster-port", String(busPort), "--cluster-node-timeout", "5000"] }));
    }
    const created = await run(findTool("redis-cli", "redis-tools"), ["--cluster", "create", ...nodes.map((n) => `127.0.0.1:${n.port}`), "--cluster-replicas", "0", "--cluster-yes"], 60_000);
    if (created.code !== 0) throw new Error(`redis-cli --cluster create failed (${created.code}): ${(created.stderr || created.stdout).trim().slice(-500)}`);
    await waitFor("every cluster node to report cluster_state:ok", async () => (await Promise.all(nodes.map((n) => clusterInfo(n.port)))).every((info) => info.includes("cluster_state:ok")), 30_000);
  } catch (error) {
    await stopAll();
    throw error;
  }
  const seeds = nodes.map((n) => ({ host: "127.0.0.1", port: n.port }));
  return {
    url: nodes.map((n) => n.url).join(","),
    nodes,
    client: () => new Cluster(seeds, { redisOptions: { maxRetriesPerRequest: null } }) as unknown as Redis,
    async flushAll() {
      await Promise.all(
        nodes.map(async (n) => {
          const client = new Redis({ host: "127.0.0.1", port: n.port, maxRetriesPerRequest: 1 });
          try {
            await client.flushall();
          } finally {
            client.disconnect();
          }
        }),
      );
    },
    async stop() {
      await stopAll();
    },
  };
}
