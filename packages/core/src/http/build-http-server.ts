import type { FastifyBaseLogger, FastifyInstance } from "fastify";
import { fastify, LogController } from "fastify";
import type { Logger } from "pino";
import type { Registry } from "prom-client";
import { metricsRegistry } from "../metrics/metrics-registry.js";
import { basicAuthMatches, WWW_AUTHENTICATE } from "./basic-auth.js";
import type { HttpSettings } from "./http-settings.js";
import type { ReadinessCheck } from "./readiness.js";
import { runReadiness } from "./readiness.js";

declare module "fastify" {
  interface FastifyContextConfig {
    /** A route anyone may call, login or not (only /healthz). */
    public?: boolean;
  }
}

export interface HttpRoutesOptions {
  logger: Logger;
  /** Checks behind /readyz: 200 when all pass, else 503 with each problem. @defaultValue [] */
  readiness?: readonly ReadinessCheck[];
  /** A readiness check that gives no answer within this long counts as failed. @defaultValue 2000 */
  readinessTimeoutMs?: number;
  /** Served at /metrics. @defaultValue metricsRegistry, the core one */
  metrics?: Registry;
  /**
   * The app's own routes (a dashboard's pages, Bull Board, an API), registered as a plugin
   * after the login hook, so they need the login too. Writes among them should add
   * `requireSameOrigin` (./same-origin.ts) as a hook.
   */
  routes?: (fastify: FastifyInstance) => Promise<void>;
  /** Says "shutting down" in /readyz once true. */
  stopping?: () => boolean;
}

/**
 * The Fastify app every fleetwatch process serves, not yet listening (tests drive it with
 * `inject`): `/healthz` open to all, a login (HTTP Basic) on everything else when
 * credentials are set, `/readyz`, `/metrics`, then the app's own routes.
 */
export async function buildHttpServer(settings: Pick<HttpSettings, "credentials">, options: HttpRoutesOptions): Promise<FastifyInstance> {
  const server = fastify({
    // Fastify's own lines (listening, request errors) only at warn and above: the app says what it serves.
    loggerInstance: options.logger.child({ component: "http" }, { level: options.logger.levelVal > 40 ? options.logger.level : "warn" }) as FastifyBaseLogger,
    logController: new LogController({ disableRequestLogging: true }),
    trustProxy: false,
    bodyLimit: 1_048_576,
  });
  const credentials = settings.credentials;

  server.addHook("onRequest", async (request, reply) => {
    if (request.routeOptions.config?.public === true || !credentials) return;
    if (basicAuthMatches(request.headers.authorization, credentials)) return;
    await reply.code(401).header("www-authenticate", WWW_AUTHENTICATE).type("text/plain; charset=utf-8").send("Unauthorized: log in with FLEETWATCH_HTTP_USER / FLEETWATCH_HTTP_PASSWORD\n");
  });

  server.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ method: request.method, url: request.url, err: error.message }, "HTTP request failed");
    await reply.code(status).type("text/plain; charset=utf-8").send(status >= 500 ? "Internal Server Error\n" : `${error.message}\n`);
  });

  server.get("/healthz", { config: { public: true } }, async (_request, reply) => reply.type("application/json").send({ status: "ok" }));

  server.get("/readyz", async (_request, reply) => {
    if (options.stopping?.()) return reply.code(503).send({ ready: false, checks: [{ name: "process", ok: false, problem: "shutting down" }] });
    const report = await runReadiness(options.readiness ?? [], options.readinessTimeoutMs);
    return reply.code(report.ready ? 200 : 503).send(report);
  });

  const registry = options.metrics ?? metricsRegistry;
  server.get("/metrics", async (_request, reply) => reply.type(registry.contentType).send(await registry.metrics()));

  if (options.routes) await server.register(options.routes);
  return server;
}
