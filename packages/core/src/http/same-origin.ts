import type { FastifyReply, FastifyRequest } from "fastify";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/**
 * Whether a request that changes something comes from a page of this same server (or from
 * a non-browser client, which sends neither header). Browsers send `Origin` on every
 * cross-site POST and `Sec-Fetch-Site` on every request, so a form or script on another
 * site cannot act with the operator's credentials.
 */
export function isSameOriginRequest(request: FastifyRequest): boolean {
  if (SAFE_METHODS.has(request.method)) return true;
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

/**
 * A `preHandler`/`onRequest` hook for routes that write (silences, Bull Board actions):
 * answers 403 to a cross-origin request. Register it in the context that holds those routes:
 * `fastify.addHook("onRequest", requireSameOrigin)`.
 */
export async function requireSameOrigin(request: FastifyRequest, reply: FastifyReply): Promise<void> {
  if (isSameOriginRequest(request)) return;
  request.log.warn({ method: request.method, url: request.url, origin: request.headers.origin }, "cross-origin write refused");
  await reply.code(403).type("text/plain; charset=utf-8").send("Forbidden: this action must come from a page of this server (same origin)\n");
}
