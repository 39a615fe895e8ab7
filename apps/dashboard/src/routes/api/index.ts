import type { FastifyInstance } from "fastify";
import { requireSameOrigin } from "@fleetwatch/core";
import { loginName } from "../alerts/index.js";
import { fleetQueryOf } from "../fleet-query-params.js";

/** `/api/…`: JSON for everything the pages show; writes (silences) same-origin only. */
export default async function apiRoutes(fastify: FastifyInstance): Promise<void> {
  fastify.addHook("onRequest", requireSameOrigin);

  fastify.get("/api/hosts", async (request) => {
    const page = await fastify.dash.fleet.page(fleetQueryOf(request.query as Record<string, unknown>));
    return { ...page, hosts: page.hosts.map(({ alerts: _alerts, ...rest }) => rest) };
  });

  fastify.get<{ Params: { host: string } }>("/api/hosts/:host", async (request, reply) => {
    const detail = await fastify.dash.fleet.host(request.params.host);
    if (!detail.member && !detail.latest && detail.history.length === 0) return reply.code(404).send({ error: `${request.params.host} is not a host of the monitored fleet` });
    return detail;
  });

  fastify.get("/api/alerts", async () => fastify.dash.fleet.alerts());

  fastify.get("/api/silences", async () => {
    const view = await fastify.dash.fleet.alerts();
    return { now: view.now, silences: view.silences };
  });

  fastify.post<{ Body: { host?: string; check?: string; duration?: string; reason?: string; author?: string; all?: boolean } }>("/api/silences", async (request, reply) => {
    const b = request.body ?? {};
    const created = await fastify.dash.fleet.createSilence({
      host: String(b.host ?? ""),
      check: String(b.check ?? "*"),
      duration: String(b.duration ?? ""),
      reason: String(b.reason ?? ""),
      author: String(b.author ?? loginName(request) ?? "dashboard"),
      all: b.all === true,
    });
    if (!created.ok) return reply.code(400).send({ error: created.error });
    return reply.code(201).send(created.value);
  });

  fastify.post<{ Params: { id: string } }>("/api/silences/:id/expire", async (request, reply) => {
    if (!(await fastify.dash.fleet.expireSilence(request.params.id))) return reply.code(404).send({ error: `no silence with id ${request.params.id}` });
    return { expired: request.params.id };
  });
}
