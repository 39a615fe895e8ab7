import { Cluster, Redis, type RedisOptions } from "ioredis";
import type { RedisOutageReporter } from "./redis-outage-reporter.js";
import type { RedisTarget } from "./redis-url.js";
import { parseRedisUrl } from "./redis-url.js";

/** REDIS_URL is required: the apps refuse to start without it, and say so. */
export function redisUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = env.REDIS_URL?.trim();
  return url ? url : undefined;
}

export const MISSING_REDIS_URL =
  "REDIS_URL is not set. Point it at your Redis, e.g. REDIS_URL=redis://127.0.0.1:6379 (fleetwatch keeps its queues and alert state there).";

function targetOf(url: string | RedisTarget): RedisTarget {
  if (typeof url !== "string") return url;
  const parsed = parseRedisUrl(url);
  // Apps and the CLI parse REDIS_URL first and say what is wrong; reaching this is a bug.
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
}

/**
 * An ioredis connection as BullMQ wants it: `maxRetriesPerRequest: null` so blocking
 * commands wait through a Redis restart, and reconnection with backoff. With a `reporter`,
 * its troubles are said once per retry round of the process (see RedisOutageReporter).
 *
 * Several seed nodes in REDIS_URL give an ioredis Cluster. It answers the same commands,
 * and is typed as `Redis` so the code above works on both.
 */
export function createRedis(url: string | RedisTarget, options: RedisOptions = {}, reporter?: RedisOutageReporter): Redis {
  const target = targetOf(url);
  const base: RedisOptions = {
    ...(target.username ? { username: target.username } : {}),
    ...(target.password ? { password: target.password } : {}),
    ...(target.tls ? { tls: { servername: target.nodes[0]!.host } } : {}),
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: reporter ? () => reporter.retryDelay() : (times) => Math.min(times * 200, 5_000),
    lazyConnect: false,
    ...options,
  };
  let client: Redis;
  if (target.kind === "cluster") {
    const { retryStrategy, ...redisOptions } = base;
    const cluster = new Cluster(target.nodes, {
      redisOptions,
      clusterRetryStrategy: (times) => (retryStrategy ? (retryStrategy(times) ?? null) : null),
      enableReadyCheck: true,
      lazyConnect: base.lazyConnect ?? false,
      ...(target.tls ? { dnsLookup: (address, callback) => callback(null, address) } : {}),
    });
    client = cluster as unknown as Redis;
  } else {
    client = new Redis({ ...base, host: target.nodes[0]!.host, port: target.nodes[0]!.port, db: target.db });
  }
  if (reporter) {
    client.on("error", (error: Error) => reporter.noteError(error));
    client.on("ready", () => reporter.noteReady());
  }
  return client;
}

/** Closes connections politely (QUIT), or at once when Redis does not answer within `waitMs`. */
export async function closeRedis(clients: readonly Redis[], waitMs = 2_000): Promise<void> {
  await Promise.all(
    clients.map(async (client) => {
      let timer: NodeJS.Timeout | undefined;
      const gaveUp = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, waitMs);
      });
      await Promise.race([client.quit().then(() => undefined, () => undefined), gaveUp]);
      clearTimeout(timer);
      client.disconnect();
    }),
  );
}
