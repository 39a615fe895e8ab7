import type { FastifyInstance } from "fastify";
import { hostPage } from "../../views/host-page.js";
import { layout } from "../../views/layout.js";

/** `/hosts/:host`: one host's checks, charts, last failure, silences and timeline. */
export default async function hostRoutes(fastify: FastifyInstance): Promise<void> {
  fastify.get<{ Params: { host: string } }>("/hosts/:host", async (request, reply) => {
    const detail = await fastify.dash.fleet.host(request.params.host);
    const { t, locale, timeZone } = fastify.dash.view();
    const known = detail.member || detail.latest !== undefined || detail.history.length > 0;
    return reply
      .code(known ? 200 : 404)
      .type("text/html; charset=utf-8")
      .send(layout({ title: detail.name, t, active: "host", body: hostPage(detail, t, locale, timeZone) }));
  });
}
