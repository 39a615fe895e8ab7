import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { Agent } from "node:http";
import { createRequire } from "node:module";
import { dirname } from "node:path";
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { AppProcess } from "@fleetwatch/testkit";
import { Pipeline } from "../pipeline-harness.js";
import { rawExchange, rawRequest } from "./raw-http.js";
import { scenario } from "./scenario.js";

const httpUser = "fw-ops";
const httpPassword = `pw${randomBytes(12).toString("hex")}`;
const authorized = { authorization: `Basic ${Buffer.from(`${httpUser}:${httpPassword}`).toString("base64")}` };

const p = new Pipeline();

beforeAll(async () => {
  await p.start();
  const knownHosts = await p.lab.writeKnownHosts("known_hosts", []);
  p.writeConfig(knownHosts, [{ name: "nowhere", host: await p.lab.closedHost() }]);
  const env = { FLEETWATCH_HTTP_USER: httpUser, FLEETWATCH_HTTP_PASSWORD: httpPassword };
  for (const app of ["scheduler", "worker", "notifier", "dashboard"] as const) p.spawn(app, env);
  await Promise.all(p.apps.map((app) => app.httpUrl(60_000)));
}, 180_000);
afterAll(async () => {
  await p.stop();
});

/** The app is alive and /healthz answers 200; else what is wrong. */
async function stillAnswering(app: AppProcess): Promise<string | undefined> {
  if (app.child.exitCode !== null || app.child.signalCode !== null) return `${app.app} exited (${app.child.exitCode ?? app.child.signalCode})`;
  try {
    const health = await rawRequest(await app.httpUrl(), "/healthz");
    return health.status === 200 ? undefined : `${app.app} /healthz: HTTP ${health.status}`;
  } catch (error) {
    return `${app.app} /healthz: ${(error as Error).message}`;
  }
}

describe("HTTP abuse", () => {
  scenario(import.meta.url, "security", "malformed requests and headers over 16 KB on every app: refused (400/431/505 or closed), and every app keeps answering", { timeoutMs: 120_000 }, async () => {
    // Each aims at /metrics, which needs the login: any 2xx would be a request taken for a good one.
    const abuses: [string, Buffer | string][] = [
      ["random bytes", randomBytes(4096)],
      ["a request line that is not HTTP", "HELLO THERE\r\n\r\n"],
      ["HTTP/9.9", "GET /metrics HTTP/9.9\r\nHost: x\r\n\r\n"],
      ["HTTP/0.9 style", "GET /metrics\r\n\r\n"],
      ["no Host on HTTP/1.1", "GET /metrics HTTP/1.1\r\n\r\n"],
      ["a bare LF header and a NUL", "GET /metrics HTTP/1.1\nHost: x\nX-A: a\u0000b\n\n"],
      ["conflicting Content-Length", "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nContent-Length: 9\r\n\r\nhello"],
      ["Content-Length and chunked (smuggling)", "POST /metrics HTTP/1.1\r\nHost: x\r\nContent-Length: 4\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n"],
      ["a bad chunk size", "POST /metrics HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"],
      ["a header of 20 KB", `GET /metrics HTTP/1.1\r\nHost: x\r\nX-Big: ${"a".repeat(20_000)}\r\n\r\n`],
      ["200 headers of 100 bytes", `GET /metrics HTTP/1.1\r\nHost: x\r\n${Array.from({ length: 200 }, (_, i) => `X-H${i}: ${"b".repeat(100)}\r\n`).join("")}\r\n`],
      ["a request line of 20 KB", `GET /${"c".repeat(20_000)} HTTP/1.1\r\nHost: x\r\n\r\n`],
    ];
    const wrong: string[] = [];
    let refused = 0;
    for (const app of p.apps) {
      const base = await app.httpUrl();
      for (const [what, bytes] of abuses) {
        const { reply, closed } = await rawExchange(base, bytes);
        const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(reply)?.[1] ?? 0);
        const big = what.includes("KB") || what.includes("200 headers");
        // A refusal is a 4xx/5xx answer, or a closed connection; a big header must be 431 exactly.
        if (big ? status !== 431 : !(status >= 400 || (status === 0 && closed))) wrong.push(`${app.app}, ${what}: ${reply.split("\r\n")[0] || (closed ? "closed" : "no answer")}`);
        else refused++;
        const down = await stillAnswering(app);
        if (down) wrong.push(`after ${what}: ${down}`);
      }
    }
    expect(wrong).toEqual([]);
    return { expected: abuses.length * p.apps.length, delivered: refused, lost: wrong.length, duplicated: 0, allowedDuplicates: 0, notes: `${abuses.length} kinds of malformed request on each of scheduler, worker, notifier, dashboard; headers over 16 KB answered 431; /healthz checked after each. Counted as lost: one accepted, or an app that stopped answering` };
  });

  scenario(import.meta.url, "security", "path traversal against the static assets (plain, encoded, double encoded) never serves a file outside the asset directory", { timeoutMs: 120_000 }, async () => {
    const dashboard = p.apps.find((a) => a.app === "dashboard")!;
    const base = await dashboard.httpUrl();
    // Files that exist just outside Bull Board's asset directory, and far outside it.
    const ui = dirname(createRequire(import.meta.url).resolve("@bull-board/ui/package.json"));
    const outside = [
      { file: "/etc/passwd", marker: readFileSync("/etc/passwd", "utf8").split("\n")[0]! },
      { file: `${ui}/package.json`, marker: `"name": "@bull-board/ui"` },
    ];
    const up = (n: number, sep: string) => Array.from({ length: n }, () => `..${sep}`).join("");
    const attempts: string[] = [];
    for (const prefix of ["/assets/", "/queues/static/", "/queues/static/js/", "/static/", "/queues/"]) {
      for (const sep of ["/", "%2f", "%2F", "\\", "%5c"]) {
        attempts.push(`${prefix}${up(12, sep)}etc${sep}passwd`);
        attempts.push(`${prefix}${up(1, sep)}package.json`, `${prefix}${up(2, sep)}package.json`);
      }
      attempts.push(`${prefix}%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd`);
      attempts.push(`${prefix}%252e%252e%252f%252e%252e%252f%252e%252e%252f%252e%252e%252f%252e%252e%252f%252e%252e%252fetc%252fpasswd`);
      attempts.push(`${prefix}..%252f..%252fpackage.json`, `${prefix}%2e%2e/package.json`, `${prefix}.%2e/.%2e/package.json`);
      attempts.push(`${prefix}....//....//....//....//....//....//etc/passwd`, `${prefix}..;/..;/package.json`, `${prefix}%c0%ae%c0%ae/%c0%ae%c0%ae/package.json`);
      attempts.push(`${prefix}${encodeURIComponent("/etc/passwd")}`, `${prefix}/etc/passwd`);
    }
    const served: string[] = [];
    const statuses = new Map<number, number>();
    for (const path of attempts) {
      const response = await rawRequest(base, path, authorized);
      statuses.set(response.status, (statuses.get(response.status) ?? 0) + 1);
      const hit = outside.find((o) => response.body.includes(o.marker));
      if (hit) served.push(`${path} served ${hit.file} (HTTP ${response.status})`);
    }
    // The assets themselves are still served: the guard is not a blanket refusal.
    const board = await rawRequest(base, "/queues", authorized);
    const asset = /(?:src|href)="(?:\/queues\/)?(static\/[^"]+)"/.exec(board.body)?.[1];
    expect(asset).toBeDefined();
    expect((await rawRequest(base, `/queues/${asset}`, authorized)).status).toBe(200);
    const down = await stillAnswering(dashboard);
    expect(served).toEqual([]);
    expect(down).toBeUndefined();
    const byStatus = [...statuses].sort(([a], [b]) => a - b).map(([s, n]) => `${n}× ${s}`).join(", ");
    return { expected: attempts.length, delivered: attempts.length - served.length, lost: served.length, duplicated: 0, allowedDuplicates: 0, notes: `${attempts.length} traversal paths (../, %2f, backslash, %2e%2e, double encoding, overlong UTF-8) with credentials; answers: ${byStatus}; counted as lost: a file from outside the asset directory served` };
  });

  scenario(import.meta.url, "security", "a bounded request flood on loopback (2,000 requests, 50 concurrent, per app): every app keeps answering and stays up", { timeoutMs: 240_000 }, async () => {
    const total = 2_000;
    const concurrency = 50;
    const wrong: string[] = [];
    const notes: string[] = [];
    for (const app of p.apps) {
      const base = await app.httpUrl();
      const paths = app.app === "dashboard" ? ["/healthz", "/", "/api/hosts", "/metrics", "/queues/api/queues", "/nope"] : ["/healthz", "/metrics", "/nope"];
      const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
      const statuses = new Map<string, number>();
      let next = 0;
      const started = performance.now();
      const lane = async () => {
        for (let i = next++; i < total; i = next++) {
          const path = paths[i % paths.length]!;
          // Every fifth request without credentials: the login answers those too.
          const headers = i % 5 === 0 ? {} : authorized;
          let key: string;
          try {
            key = String((await rawRequest(base, path, headers, agent)).status);
          } catch (error) {
            key = (error as Error).message;
          }
          statuses.set(key, (statuses.get(key) ?? 0) + 1);
        }
      };
      await Promise.all(Array.from({ length: concurrency }, lane));
      agent.destroy();
      const seconds = (performance.now() - started) / 1000;
      const answered = [...statuses].filter(([k]) => /^\d{3}$/.test(k)).reduce((sum, [, n]) => sum + n, 0);
      const failed = [...statuses].filter(([k]) => !/^\d{3}$/.test(k) || k.startsWith("5"));
      if (failed.length > 0) wrong.push(`${app.app}: ${failed.map(([k, n]) => `${n}× ${k}`).join(", ")}`);
      const down = await stillAnswering(app);
      if (down) wrong.push(down);
      notes.push(`${app.app} ${answered}/${total} answered in ${seconds.toFixed(1)} s`);
    }
    expect(wrong).toEqual([]);
    return { expected: p.apps.length, delivered: p.apps.length - wrong.length, lost: wrong.length, duplicated: 0, allowedDuplicates: 0, notes: `${notes.join("; ")}; a fifth without credentials (401); counted as lost: an app with a failed request, a 5xx, or /healthz not answering afterwards` };
  });
});
