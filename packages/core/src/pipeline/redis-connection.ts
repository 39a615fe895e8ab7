import { Redis, type RedisOptions } from "ioredis";

/** REDIS_URL is required: the apps refuse to start without it, and say so. */
export function redisUrlFromEnv(env: NodeJS.ProcessEnv = process.env): string | undefined {
  const url = env.REDIS_URL?.trim();
  return url ? url : undefined;
}

export const MISSING_REDIS_URL =
  "REDIS_URL is not set. Point it at your Redis, e.g. REDIS_URL=redis://127.0.0.1:6379 (fleetwatch keeps its queues and alert state there).";

/**
 * An ioredis connection as BullMQ wants it: `maxRetriesPerRequest: null` so blocking
 * commands wait through a Redis restart, and reconnection with capped backoff.
 */
export function createRedis(url: string, options: RedisOptions = {}): Redis {
  return new Redis(url, {
    maxRetriesPerRequest: null,
    enableReadyCheck: true,
    retryStrategy: (times) => Math.min(times * 200, 5_000),
    lazyConnect: false,
    ...options,
  });
}
