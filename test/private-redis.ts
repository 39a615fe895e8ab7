import { Redis } from "ioredis";
import { afterAll, beforeAll } from "vitest";
import type { RedisHandle } from "@fleetwatch/testkit";
import { startRedis } from "@fleetwatch/testkit";

export interface PrivateRedis {
  /** The test file's own redis-server (a free port). */
  handle: RedisHandle;
  /** One client of it. */
  redis: Redis;
}

/** A redis-server of the test file's own with one client: started before its tests, stopped after them. */
export function usePrivateRedis(): PrivateRedis {
  const own = {} as PrivateRedis;
  beforeAll(async () => {
    own.handle = await startRedis();
    own.redis = new Redis(own.handle.url, { maxRetriesPerRequest: null });
  });
  afterAll(async () => {
    own.redis?.disconnect();
    await own.handle?.stop();
  });
  return own;
}
