import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { HttpAppName } from "../http/http-settings.js";
import { httpSettingsFromEnv } from "../http/http-settings.js";
import type { ReadinessCheck } from "../http/readiness.js";
import { createLogger } from "../log/logger.js";
import { registerSecret } from "../log/secret-scrubber.js";
import { createRedis } from "../pipeline/redis-connection.js";
import { isRedisConnectionError, RedisOutageReporter } from "../pipeline/redis-outage-reporter.js";
import { appArgsOrExit } from "./app-args.js";
import type { AppHttp } from "./app-http.js";
import { serveAppHttp } from "./app-http.js";
import { ConfigHolder } from "./config-holder.js";
import { holdStopSignals } from "./graceful-shutdown.js";

export interface AppContext {
  log: Logger;
  holder: ConfigHolder;
  /** Speaks for every Redis connection of the process while Redis is unreachable. */
  reporter: RedisOutageReporter;
  /** A new Redis connection that reports its troubles (once per retry round) and reconnects by itself. */
  connect(): Redis;
  /**
   * For BullMQ's `error` events: connection trouble is already said by the reporter (one
   * line per retry), anything else is logged with `what` it came from.
   */
  onQueueError(what: string, fields?: Record<string, unknown>): (error: Error) => void;
  /**
   * At shutdown: when Redis is unreachable, says so and returns true, and the app exits
   * without its polite stop (nothing can be finished or handed back without Redis; the lock
   * of a job in flight lapses and the job is run again).
   */
  abandonIfRedisDown(): boolean;
  /** /healthz, /readyz (Redis via `redis`, config, plus `extra`), /metrics and the app's own `routes` on HTTP_HOST:HTTP_PORT. */
  serveHttp(redis: Redis, extra?: readonly ReadinessCheck[], routes?: (fastify: FastifyInstance) => Promise<void>): Promise<AppHttp>;
}

/**
 * What every pipeline app does first: `--version` / `--help`; a logger; `--config FILE`,
 * REDIS_URL and the HTTP settings, each checked before anything starts; the config
 * (reloaded on SIGHUP). An app that cannot start says why in one line and exits 2.
 */
export function bootstrapApp(name: HttpAppName, argv: string[] = process.argv.slice(2)): AppContext {
  holdStopSignals();
  const args = appArgsOrExit(name, argv);
  const http = httpSettingsFromEnv(name);
  if (!http.ok) {
    process.stderr.write(`${name}: ${http.error}\n`);
    process.exit(2);
  }
  const { redis: target, config } = args;
  registerSecret(target.password);
  registerSecret(http.value?.credentials?.password);
  const log = createLogger(name);
  const holder = ConfigHolder.load(config, log);
  if (!holder) process.exit(2);
  holder.watchSignals();
  const reporter = new RedisOutageReporter(log, target.display);
  return {
    log,
    holder,
    reporter,
    connect: () => createRedis(target, {}, reporter),
    onQueueError: (what, fields = {}) => (error: Error) => {
      if (isRedisConnectionError(error)) reporter.noteError(error);
      else log.error({ ...fields, err: error.message }, `${what} error`);
    },
    abandonIfRedisDown: () => {
      const problem = reporter.problem;
      if (!problem) return false;
      log.warn(`${problem}: stopping without waiting for it; work in flight is run again once Redis is back`);
      return true;
    },
    serveHttp: (redis, extra = [], routes) => serveAppHttp(name, { log, holder, reporter }, redis, extra, routes),
  };
}
