import type { FastifyInstance } from "fastify";
import fp from "fastify-plugin";

/** HTML forms post `application/x-www-form-urlencoded`: parsed into a plain object of strings (16 KB at most). */
export const formBody = fp(
  async (fastify: FastifyInstance) => {
    fastify.addContentTypeParser("application/x-www-form-urlencoded", { parseAs: "string", bodyLimit: 16_384 }, (_request, body, done) => {
      done(null, Object.fromEntries(new URLSearchParams(body as string)));
    });
  },
  { name: "form-body" },
);
