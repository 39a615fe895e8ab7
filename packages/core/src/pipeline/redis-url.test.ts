import { describe, expect, it } from "vitest";
import { parseRedisUrl } from "./redis-url.js";

describe("REDIS_URL", () => {
  it("reads one server, with user, password, port and database", () => {
    expect(parseRedisUrl("redis://127.0.0.1")).toEqual({ ok: true, value: { kind: "single", nodes: [{ host: "127.0.0.1", port: 6379 }], tls: false, db: 0, display: "redis://127.0.0.1:6379" } });
    expect(parseRedisUrl("rediss://fw:p%40ss%3Aword@redis.internal:6380/2")).toEqual({
      ok: true,
      value: { kind: "single", nodes: [{ host: "redis.internal", port: 6380 }], tls: true, username: "fw", password: "p@ss:word", db: 2, display: "rediss://redis.internal:6380/2" },
    });
    expect(parseRedisUrl("redis://:only-a-password@[::1]:7000")).toMatchObject({ ok: true, value: { nodes: [{ host: "::1", port: 7000 }], password: "only-a-password", display: "redis://[::1]:7000" } });
  });

  it("reads several comma-separated URLs as a cluster's seed nodes", () => {
    expect(parseRedisUrl(" redis://:pw@10.0.0.1:7000, redis://:pw@10.0.0.2:7001 ,redis://:pw@10.0.0.3")).toEqual({
      ok: true,
      value: {
        kind: "cluster",
        nodes: [
          { host: "10.0.0.1", port: 7000 },
          { host: "10.0.0.2", port: 7001 },
          { host: "10.0.0.3", port: 6379 },
        ],
        tls: false,
        password: "pw",
        db: 0,
        display: "redis://10.0.0.1:7000,10.0.0.2:7001,10.0.0.3:6379 (cluster)",
      },
    });
  });

  it("refuses what is not a Redis URL in one sentence that never shows the password", () => {
    const cases: [string, RegExp][] = [
      ["redis//fw:hunter22@host", /"redis\/\/\*\*\*@host" does not start with redis:\/\/ or rediss:\/\//],
      ["http://host:6379", /does not start with redis:\/\//],
      ["redis://:hunter22@host:99999", /"redis:\/\/\*\*\*@host:99999" is not a valid URL/],
      ["redis://", /names no host|is not a valid URL/],
      ["redis://host/abc", /the path must be a database number/],
      ["redis://host?family=6", /options after \? or #/],
      ["redis://a,,redis://b", /has an empty entry/],
      ["redis://a:1,rediss://b:2", /mixes redis:\/\/ and rediss:\/\//],
      ["redis://:x@a:1,redis://:y@b:2", /different users or passwords/],
      ["redis://a:1/1,redis://b:2/1", /only database 0/],
    ];
    for (const [text, message] of cases) {
      const parsed = parseRedisUrl(text);
      expect(parsed.ok, text).toBe(false);
      if (parsed.ok) continue;
      expect(parsed.error).toMatch(message);
      expect(parsed.error).not.toContain("hunter22");
      expect(parsed.error).not.toContain("\n");
    }
  });
});
