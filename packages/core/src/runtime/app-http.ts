import { randomUUID } from "node:crypto";
import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { HttpAppName } from "../http/http-settings.js";
import type { ReadinessCheck } from "../http/readiness.js";
import { startHttpServer } from "../http/start-http-server.js";
import { ExporterLease } from "../metrics/exporter-lease.js";
import { exportFleetGauges } from "../metrics/fleet-gauges.js";
import { recordBuildInfo } from "../metrics/metrics-registry.js";
import { resolveNotifySettings } from "../notify/notify-settings.js";
import { pipelineQueues } from "../pipeline/queue-registry.js";
import type { RedisOutageReporter } from "../pipeline/redis-outage-reporter.js";
import type { ConfigHolder } from "./config-holder.js";
import { configReadiness, redisReadiness } from "./pipeline-readiness.js";
import { fleetwatchVersion } from "./version.js";

/** A pipeline app's HTTP side, for its shutdown. */
export interface AppHttp {
  /** /readyz says "shutting down" from now on. */
  markStopping(): void;
  /** Gives up the metrics lease and closes the server. */
  close(): Promise<void>;
}

/** Every BullMQ queue of the pipeline, from the queue registry. */
const pipelineQueueNames = (): string[] => pipelineQueues().map((q) => q.name);
const robotNames = (holder: ConfigHolder): string[] => resolveNotifySettings(holder.current.config).robots.map((r) => r.name);

/**
 * Serves a pipeline app's /healthz, /readyz (Redis, config, plus `extra`), /metrics (with
 * the fleet-wide gauges when this process holds the exporter lease) and the app's own `routes`
 * (the dashboard's), all behind the same login. A setting the operator
 * must fix (port taken, exposed without a login) is said in one line, and the app exits 2.
 */
export async function serveAppHttp(
  app: HttpAppName,
  context: { log: Logger; holder: ConfigHolder; reporter: RedisOutageReporter },
  redis: Redis,
  extra: readonly ReadinessCheck[] = [],
  routes?: (fastify: FastifyInstance) => Promise<void>,
): Promise<AppHttp> {
  recordBuildInfo(app, fleetwatchVersion());
  const started = await startHttpServer({
    app,
    logger: context.log,
    readiness: [redisReadiness(redis, context.reporter), configReadiness(context.holder), ...extra],
    ...(routes ? { routes } : {}),
  });
  if (!started.ok) {
    process.stderr.write(`${app}: ${started.error}\n`);
    process.exit(2);
  }
  const server = started.value;
  const gauges = server
    ? exportFleetGauges({ redis, lease: new ExporterLease(redis, `${app}-${process.pid}-${randomUUID()}`), queueNames: pipelineQueueNames, robots: () => robotNames(context.holder), log: context.log })
    : undefined;
  return {
    markStopping: () => server?.markStopping(),
    async close() {
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([gauges?.stop(), new Promise((resolve) => (timer = setTimeout(resolve, 2_000)))]);
      clearTimeout(timer);
      await server?.close();
    },
  };
}
