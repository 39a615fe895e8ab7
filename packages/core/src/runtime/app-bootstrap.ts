import type { Redis } from "ioredis";
import type { Logger } from "pino";
import { createLogger } from "../log/logger.js";
import { createRedis } from "../pipeline/redis-connection.js";
import { parseAppArgs } from "./app-args.js";
import { ConfigHolder } from "./config-holder.js";

export interface AppContext {
  log: Logger;
  holder: ConfigHolder;
  /** A new Redis connection that logs its troubles and reconnects by itself. */
  connect(): Redis;
}

/**
 * What every pipeline app does first: a logger, `--config FILE` and REDIS_URL, the config
 * (reloaded on SIGHUP). An app that cannot start says why and exits 2.
 */
export function bootstrapApp(name: string, argv: string[] = process.argv.slice(2)): AppContext {
  const log = createLogger(name);
  const args = parseAppArgs(name, argv);
  if (!args.ok) {
    process.stderr.write(`${args.error}\n`);
    process.exit(2);
  }
  const holder = ConfigHolder.load(args.value.config, log);
  if (!holder) process.exit(2);
  holder.watchSignals();
  return {
    log,
    holder,
    connect: () => {
      const redis = createRedis(args.value.redisUrl);
      redis.on("error", (error) => log.warn({ err: error.message }, "redis connection problem; retrying"));
      return redis;
    },
  };
}
