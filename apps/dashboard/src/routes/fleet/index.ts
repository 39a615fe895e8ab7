import type { FastifyInstance } from "fastify";
import { fleetPage } from "../../views/fleet-page.js";
import { layout } from "../../views/layout.js";
import { fleetQueryOf } from "../fleet-query-params.js";

/** `/`: every host, worst first, filtered and paged on the server. */
export default async function fleetRoutes(fastify: FastifyInstance): Promise<void> {
  fastify.get("/", async (request, reply) => {
    const query = fleetQueryOf(request.query as Record<string, unknown>);
    const page = await fastify.dash.fleet.page(query);
    const { t, locale, timeZone } = fastify.dash.view();
    return reply.type("text/html; charset=utf-8").send(layout({ title: t.fleet, t, active: "fleet", body: fleetPage(page, query, page.now, t, locale, timeZone) }));
  });
}
