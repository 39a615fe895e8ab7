import { pino } from "pino";
import { Counter, Registry } from "prom-client";
import { afterEach, describe, expect, it } from "vitest";
import type { FastifyInstance } from "fastify";
import { basicAuthMatches } from "./basic-auth.js";
import { buildHttpServer } from "./build-http-server.js";
import { requireSameOrigin } from "./same-origin.js";

const logger = pino({ level: "silent" });
const credentials = { user: "ops", password: "pw-Zr81-long" };
const basic = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

let server: FastifyInstance | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const metrics = () => {
  const registry = new Registry();
  new Counter({ name: "fleetwatch_test_total", help: "test", registers: [registry] }).inc(3);
  return registry;
};

describe("the HTTP module", () => {
  it("answers /healthz to anyone, and everything else only with the login", async () => {
    server = await buildHttpServer({ credentials }, { logger, metrics: metrics(), routes: async (f) => void f.get("/api/hosts", async () => ({ hosts: [] })) });
    expect((await server.inject({ url: "/healthz" })).statusCode).toBe(200);
    for (const url of ["/readyz", "/metrics", "/api/hosts", "/no-such-page"]) {
      const response = await server.inject({ url });
      expect(response.statusCode, url).toBe(401);
      expect(response.headers["www-authenticate"]).toBe('Basic realm="fleetwatch", charset="UTF-8"');
      expect((await server.inject({ url, headers: { authorization: basic("ops", "wrong") } })).statusCode).toBe(401);
      expect((await server.inject({ url, headers: { authorization: basic("root", credentials.password) } })).statusCode).toBe(401);
    }
    const authorization = basic(credentials.user, credentials.password);
    expect((await server.inject({ url: "/readyz", headers: { authorization } })).statusCode).toBe(200);
    expect((await server.inject({ url: "/api/hosts", headers: { authorization } })).json()).toEqual({ hosts: [] });
    const scraped = await server.inject({ url: "/metrics", headers: { authorization } });
    expect(scraped.statusCode).toBe(200);
    expect(scraped.headers["content-type"]).toContain("text/plain");
    expect(scraped.body).toContain("fleetwatch_test_total 3");
  });

  it("needs no login when no credentials are set (loopback)", async () => {
    server = await buildHttpServer({}, { logger, metrics: metrics() });
    expect((await server.inject({ url: "/metrics" })).statusCode).toBe(200);
  });

  it("says in /readyz why it is not ready", async () => {
    server = await buildHttpServer(
      {},
      {
        logger,
        readinessTimeoutMs: 200,
        readiness: [
          { name: "redis", check: async () => undefined },
          { name: "ssh-files", check: () => "key file /keys/id_ed25519 is not readable by uid 1000 (EACCES)" },
          { name: "hung", check: () => new Promise<string | undefined>(() => {}) },
        ],
      },
    );
    const response = await server.inject({ url: "/readyz" });
    expect(response.statusCode).toBe(503);
    expect(response.json()).toEqual({
      ready: false,
      checks: [
        { name: "redis", ok: true },
        { name: "ssh-files", ok: false, problem: "key file /keys/id_ed25519 is not readable by uid 1000 (EACCES)" },
        { name: "hung", ok: false, problem: "no answer within 200 ms" },
      ],
    });
  });

  it("says shutting down in /readyz once stopping", async () => {
    let stopping = false;
    server = await buildHttpServer({}, { logger, stopping: () => stopping });
    expect((await server.inject({ url: "/readyz" })).statusCode).toBe(200);
    stopping = true;
    expect((await server.inject({ url: "/readyz" })).json()).toMatchObject({ ready: false, checks: [{ problem: "shutting down" }] });
  });

  it("refuses a cross-origin write behind the same-origin guard, and lets the page's own through", async () => {
    server = await buildHttpServer(
      { credentials },
      {
        logger,
        routes: async (f) => {
          f.addHook("onRequest", requireSameOrigin);
          f.post("/silences", async () => ({ created: true }));
          f.get("/silences", async () => ({ silences: [] }));
        },
      },
    );
    const authorization = basic(credentials.user, credentials.password);
    const post = (headers: Record<string, string>) => server!.inject({ method: "POST", url: "/silences", headers: { authorization, host: "fleet.example:8080", ...headers }, payload: {} });
    expect((await post({ origin: "https://evil.example" })).statusCode).toBe(403);
    expect((await post({ origin: "null" })).statusCode).toBe(403);
    expect((await post({ "sec-fetch-site": "cross-site" })).statusCode).toBe(403);
    expect((await post({ origin: "http://fleet.example:8080", "sec-fetch-site": "same-origin" })).statusCode).toBe(200);
    expect((await post({})).statusCode).toBe(200);
    expect((await server.inject({ url: "/silences", headers: { authorization, origin: "https://evil.example" } })).statusCode).toBe(200);
    expect((await server.inject({ method: "POST", url: "/silences", headers: { origin: "http://fleet.example:8080" }, payload: {} })).statusCode).toBe(401);
  });

  it("hides the details of a server error from the client", async () => {
    server = await buildHttpServer({}, { logger, routes: async (f) => void f.get("/boom", async () => { throw new Error("redis password hunter2 leaked"); }) });
    const response = await server.inject({ url: "/boom" });
    expect(response.statusCode).toBe(500);
    expect(response.body).not.toContain("hunter2");
  });
});

describe("HTTP Basic credentials", () => {
  it("match only the exact user and password", () => {
    expect(basicAuthMatches(basic("ops", "pw-Zr81-long"), credentials)).toBe(true);
    expect(basicAuthMatches(basic("ops", "pw-Zr81-lon"), credentials)).toBe(false);
    expect(basicAuthMatches(basic("ops", "pw-Zr81-long:"), credentials)).toBe(false);
    expect(basicAuthMatches(`Basic ${Buffer.from("opspw-Zr81-long").toString("base64")}`, credentials)).toBe(false);
    expect(basicAuthMatches("Bearer abc", credentials)).toBe(false);
    expect(basicAuthMatches(undefined, credentials)).toBe(false);
    expect(basicAuthMatches(basic("ops", "pa:ss"), { user: "ops", password: "pa:ss" })).toBe(true);
  });
});
