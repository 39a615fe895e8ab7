import type { FastifyInstance, FastifyRequest } from "fastify";
import { requireSameOrigin } from "@fleetwatch/core";
import type { SilenceFormState } from "../../views/alerts-page.js";
import { alertsPage } from "../../views/alerts-page.js";
import { layout } from "../../views/layout.js";

/** The user name of HTTP Basic credentials, as a silence's default author. */
export function loginName(request: FastifyRequest): string | undefined {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(request.headers.authorization ?? "");
  if (!match) return undefined;
  const decoded = Buffer.from(match[1]!, "base64").toString("utf8");
  const colon = decoded.indexOf(":");
  return colon > 0 ? decoded.slice(0, colon) : undefined;
}

const field = (body: Record<string, unknown>, name: string) => (typeof body[name] === "string" ? (body[name] as string) : "");

/** `/alerts`: firing and pending alerts, silences (create, expire: same-origin only), the fleet's timeline. */
export default async function alertRoutes(fastify: FastifyInstance): Promise<void> {
  fastify.addHook("onRequest", requireSameOrigin);

  const render = async (form: SilenceFormState) => {
    const { t, locale, timeZone } = fastify.dash.view();
    return layout({ title: t.alerts, t, active: "alerts", body: alertsPage(await fastify.dash.fleet.alerts(), form, t, locale, timeZone) });
  };

  fastify.get<{ Querystring: { created?: string; expired?: string } }>("/alerts", async (request, reply) => {
    const created = request.query.created ? `silence ${request.query.created} created` : request.query.expired ? `silence ${request.query.expired} expired` : undefined;
    return reply.type("text/html; charset=utf-8").send(await render(created ? { created } : {}));
  });

  fastify.post("/alerts/silences", async (request, reply) => {
    const body = (request.body ?? {}) as Record<string, unknown>;
    const form = { host: field(body, "host"), check: field(body, "check") || "*", duration: field(body, "duration"), reason: field(body, "reason"), author: field(body, "author") };
    const created = await fastify.dash.fleet.createSilence({ ...form, author: form.author || loginName(request) || "dashboard", all: field(body, "all") === "1" });
    if (!created.ok) return reply.code(400).type("text/html; charset=utf-8").send(await render({ ...form, error: created.error }));
    request.log.info({ silence: created.value.id, host: created.value.host, check: created.value.check, author: created.value.author }, "silence created from the dashboard");
    return reply.redirect(`/alerts?created=${encodeURIComponent(created.value.id)}`, 303);
  });

  fastify.post<{ Params: { id: string } }>("/alerts/silences/:id/expire", async (request, reply) => {
    if (!(await fastify.dash.fleet.expireSilence(request.params.id))) return reply.code(404).type("text/html; charset=utf-8").send(await render({ error: `no silence with id ${request.params.id}` }));
    request.log.info({ silence: request.params.id }, "silence expired from the dashboard");
    return reply.redirect(`/alerts?expired=${encodeURIComponent(request.params.id)}`, 303);
  });
}
