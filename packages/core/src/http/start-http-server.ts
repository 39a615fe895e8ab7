import type { FastifyInstance } from "fastify";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { enableProcessMetrics } from "../metrics/metrics-registry.js";
import type { Result } from "../util/result.js";
import { err, ok } from "../util/result.js";
import { buildHttpServer } from "./build-http-server.js";
import type { HttpAppName } from "./http-settings.js";
import { httpSettingsFromEnv } from "./http-settings.js";
import type { ReadinessCheck } from "./readiness.js";

export interface HttpServerOptions {
  /** The app, e.g. "fleetwatch-dashboard": picks its default port (DEFAULT_HTTP_PORTS). */
  app: HttpAppName;
  logger: Logger;
  /** Where HTTP_HOST, HTTP_PORT, FLEETWATCH_HTTP_USER and FLEETWATCH_HTTP_PASSWORD are read. @defaultValue process.env */
  env?: NodeJS.ProcessEnv;
  /** Checks behind /readyz. @defaultValue [] */
  readiness?: readonly ReadinessCheck[];
  /** Served at /metrics. @defaultValue metricsRegistry (core's, with process metrics) */
  metrics?: Registry;
  /** The app's own routes, behind the same login (see HttpRoutesOptions.routes). */
  routes?: (fastify: FastifyInstance) => Promise<void>;
}

export interface HttpServerHandle {
  fastify: FastifyInstance;
  /** e.g. http://127.0.0.1:9402 (the real port when HTTP_PORT=0). */
  url: string;
  port: number;
  /** /readyz answers 503 "shutting down" from now on; the server keeps answering. */
  markStopping(): void;
  close(): Promise<void>;
}

/**
 * Serves an app's HTTP as the design settles it, the one HTTP module of every fleetwatch app:
 *
 * - `HTTP_HOST` (default 127.0.0.1), `HTTP_PORT` (default per app: scheduler 9401, worker
 *   9402, notifier 9403, dashboard 8080; `0` any free port, logged; `off` no HTTP: resolves
 *   to `ok(undefined)`).
 * - `/healthz` open to all; every other route, `/readyz` and `/metrics` and `routes`
 *   included, needs HTTP Basic credentials when `FLEETWATCH_HTTP_USER` and
 *   `FLEETWATCH_HTTP_PASSWORD` are set (401 with `WWW-Authenticate` otherwise).
 * - Refuses (an `err` with a sentence for the operator) to bind off loopback without
 *   credentials, and says so when the port is taken.
 *
 * ```ts
 * const http = await startHttpServer({ app: "fleetwatch-dashboard", logger, readiness, routes: dashboardRoutes });
 * if (!http.ok) { logger.fatal(http.error); process.exit(2); }
 * // at shutdown: http.value?.markStopping(); … await http.value?.close();
 * ```
 * Routes that write (forms, Bull Board actions) add `requireSameOrigin` from ./same-origin.ts.
 */
export async function startHttpServer(options: HttpServerOptions): Promise<Result<HttpServerHandle | undefined, string>> {
  const settings = httpSettingsFromEnv(options.app, options.env);
  if (!settings.ok) return settings;
  if (!settings.value) {
    options.logger.info("HTTP is off (HTTP_PORT=off): no /healthz, /readyz or /metrics");
    return ok(undefined);
  }
  const { host, port, credentials } = settings.value;
  let stopping = false;
  enableProcessMetrics();
  const fastify = await buildHttpServer(settings.value, {
    logger: options.logger,
    stopping: () => stopping,
    ...(options.readiness ? { readiness: options.readiness } : {}),
    ...(options.metrics ? { metrics: options.metrics } : {}),
    ...(options.routes ? { routes: options.routes } : {}),
  });
  try {
    await fastify.listen({ host, port });
  } catch (error) {
    await fastify.close().catch(() => undefined);
    const code = (error as NodeJS.ErrnoException).code;
    if (code === "EADDRINUSE") {
      return err(`HTTP port ${port} on ${host} is already in use (another fleetwatch app?): set HTTP_PORT to a free port, 0 for any, or off`);
    }
    if (code === "EADDRNOTAVAIL" || code === "ENOTFOUND" || code === "EAI_AGAIN") {
      return err(`cannot bind HTTP to ${host}: no such address on this machine (${code}); fix HTTP_HOST`);
    }
    if (code === "EACCES") return err(`not allowed to bind HTTP port ${port} on ${host} (EACCES): use a port above 1023`);
    return err(`cannot serve HTTP on ${host}:${port}: ${(error as Error).message}`);
  }
  const address = fastify.server.address();
  const actualPort = typeof address === "object" && address ? address.port : port;
  const urlHost = host.includes(":") && !host.startsWith("[") ? `[${host}]` : host;
  const url = `http://${urlHost}:${actualPort}`;
  options.logger.info({ address: url, port: actualPort, login: credentials ? "required" : "none (loopback only)" }, `HTTP listening on ${url} (/healthz, /readyz, /metrics)`);
  return ok({
    fastify,
    url,
    port: actualPort,
    markStopping: () => {
      stopping = true;
    },
    close: () => fastify.close(),
  });
}
