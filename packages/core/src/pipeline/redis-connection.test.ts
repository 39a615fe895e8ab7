import { Cluster, Redis } from "ioredis";
import { describe, expect, it } from "vitest";
import { createRedis } from "./redis-connection.js";

describe("createRedis", () => {
  it("connects to one server, or to a cluster through its seed nodes, with the URL's credentials", () => {
    const single = createRedis("rediss://fw:pw-1@10.0.0.1:6380/3", { lazyConnect: true });
    expect(single).toBeInstanceOf(Redis);
    expect(single.options).toMatchObject({ host: "10.0.0.1", port: 6380, db: 3, username: "fw", password: "pw-1", maxRetriesPerRequest: null });
    expect(single.options.tls).toBeDefined();
    single.disconnect();

    const cluster = createRedis("redis://:pw-2@127.0.0.1:7000,redis://:pw-2@127.0.0.1:7001", { lazyConnect: true }) as unknown as Cluster;
    expect(cluster).toBeInstanceOf(Cluster);
    expect((cluster as unknown as { startupNodes: unknown }).startupNodes).toEqual([
      { host: "127.0.0.1", port: 7000 },
      { host: "127.0.0.1", port: 7001 },
    ]);
    expect(cluster.options.redisOptions).toMatchObject({ password: "pw-2", maxRetriesPerRequest: null });
    cluster.disconnect();
  });

  it("throws on a malformed URL (callers parse REDIS_URL first and say what is wrong)", () => {
    expect(() => createRedis("redis//nope")).toThrow(/REDIS_URL is not valid/);
  });
});
