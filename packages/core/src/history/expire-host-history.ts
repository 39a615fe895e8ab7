import type { Redis } from "ioredis";
import { KEYS } from "../pipeline/redis-keys.js";
import { REMOVED_HOST_KEEP_MS } from "./history-limits.js";

/**
 * A host left the fleet: its history ring and timeline stay readable for at most `keepMs`,
 * then expire (an expiry already sooner is kept: `LT`, Redis ≥ 7). Two keys under two hash
 * tags, so two commands, not one script.
 */
export async function expireHostHistory(redis: Redis, host: string, keepMs = REMOVED_HOST_KEEP_MS): Promise<void> {
  await redis.pexpire(KEYS.history(host), keepMs, "LT");
  await redis.pexpire(KEYS.hostTimeline(host), keepMs, "LT");
}
