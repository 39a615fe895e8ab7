/**
 * INTERIM: the core HTTP module (issue #13) is not on main yet. This file mirrors the part of
 * its API the dashboard uses (`buildHttpServer`, `startHttpServer`, `requireSameOrigin`) and
 * is deleted when that module lands.
 */
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { fastify } from "fastify";
import type { Logger } from "pino";
import type { Result } from "@fleetwatch/core";
import { err, ok } from "@fleetwatch/core";

declare module "fastify" {
  interface FastifyContextConfig {
    public?: boolean;
  }
}

export interface HttpCredentials {
  user: string;
  password: string;
}

const digest = (text: string) => createHash("sha256").update(text, "utf8").digest();

function basicAuthMatches(header: string | undefined, expected: HttpCredentials): boolean {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? "");
  const decoded = match ? Buffer.from(match[1]!, "base64").toString("utf8") : "";
  const colon = decoded.indexOf(":");
  const userOk = timingSafeEqual(digest(colon >= 0 ? decoded.slice(0, colon) : ""), digest(expected.user));
  const passwordOk = timingSafeEqual(digest(colon >= 0 ? decoded.slice(colon + 1) : ""), digest(expected.password));
  return colon >= 0 && userOk && passwordOk;
}

export async function buildHttpServer(settings: { credentials?: HttpCredentials }, options: { logger: Logger; routes?: (fastify: FastifyInstance) => Promise<void> }): Promise<FastifyInstance> {
  const server = fastify({ loggerInstance: options.logger.child({ component: "http" }) });
  const credentials = settings.credentials;
  server.addHook("onRequest", async (request, reply) => {
    if (request.routeOptions.config?.public === true || !credentials) return;
    if (basicAuthMatches(request.headers.authorization, credentials)) return;
    await reply.code(401).header("www-authenticate", 'Basic realm="fleetwatch", charset="UTF-8"').type("text/plain; charset=utf-8").send("Unauthorized\n");
  });
  server.setErrorHandler(async (error: Error & { statusCode?: number }, request, reply) => {
    const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
    if (status >= 500) request.log.error({ url: request.url, err: error.message }, "HTTP request failed");
    await reply.code(status).type("text/plain; charset=utf-8").send(status >= 500 ? "Internal Server Error\n" : `${error.message}\n`);
  });
  server.get("/healthz", { config: { public: true } }, async () => ({ status: "ok" }));
  server.get("/readyz", async () => ({ ready: true }));
  if (options.routes) await server.register(options.routes);
  return server as unknown as FastifyInstance;
}

export async function startHttpServer(options: { app: string; logger: Logger; env?: NodeJS.ProcessEnv; routes?: (fastify: FastifyInstance) => Promise<void> }): Promise<Result<{ fastify: FastifyInstance; url: string; port: number; close(): Promise<void>; markStopping(): void } | undefined, string>> {
  const env = options.env ?? process.env;
  const host = env.HTTP_HOST?.trim() || "127.0.0.1";
  const portText = env.HTTP_PORT?.trim() || "8080";
  if (portText === "off") return ok(undefined);
  const user = env.FLEETWATCH_HTTP_USER ?? "";
  const password = env.FLEETWATCH_HTTP_PASSWORD ?? "";
  const credentials = user && password ? { user, password } : undefined;
  if (!credentials && !host.startsWith("127.") && host !== "localhost" && host !== "::1") return err(`refusing to serve HTTP on ${host} without a login: set FLEETWATCH_HTTP_USER and FLEETWATCH_HTTP_PASSWORD`);
  const server = await buildHttpServer(credentials ? { credentials } : {}, { logger: options.logger, ...(options.routes ? { routes: options.routes } : {}) });
  await server.listen({ host, port: Number(portText) });
  const address = server.server.address();
  const port = typeof address === "object" && address ? address.port : Number(portText);
  const url = `http://${host}:${port}`;
  options.logger.info({ address: url, port }, `HTTP listening on ${url}`);
  return ok({ fastify: server, url, port, close: () => server.close(), markStopping: () => undefined });
}

export function isSameOriginRequest(request: FastifyRequest): boolean {
  if (["GET", "HEAD", "OPTIONS"].includes(request.method)) return true;
  const fetchSite = request.headers["sec-fetch-site"];
  if (fetchSite !== undefined && fetchSite !== "same-origin" && fetchSite !== "none") return false;
  const origin = request.headers.origin;
  if (origin === undefined) return true;
  if (origin === "null") return false;
  try {
    return new URL(origin).host.toLowerCase() === (request.headers.host ?? "").toLowerCase();
  } catch {
    return false;
  }
}

export async function requireSameOrigin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (isSameOriginRequest(request)) return;
  await reply.code(403).type("text/plain; charset=utf-8").send("Forbidden: this action must come from a page of this server (same origin)\n");
}
