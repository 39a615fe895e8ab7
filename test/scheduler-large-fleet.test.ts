import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResolvedHost } from "@fleetwatch/core";
import { acquireLease, enrollDue, inBatches, KEYS, publishMembership, readMembershipMeta } from "@fleetwatch/core";
import type { RedisHandle } from "@fleetwatch/testkit";
import { sampleMember, startRedis } from "@fleetwatch/testkit";

let server: RedisHandle;
let redis: Redis;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
});
afterAll(async () => {
  redis?.disconnect();
  await server?.stop();
});

/** A member with the built-in settings, checked every 60 s. */
const host = (name: string): ResolvedHost => sampleMember(name, undefined, 60_000);

describe("a fleet of 100,000 hosts", () => {
  it("is published as one membership and enrolled in the due set (no spread of 100,000 arguments)", async () => {
    const hosts = Array.from({ length: 100_000 }, (_, i) => host(`h${i}`));
    const lease = (await acquireLease(redis, "a", 120_000))!;
    const outcome = await publishMembership(redis, lease, hosts, "1");
    expect(outcome?.added).toHaveLength(100_000);
    expect(await readMembershipMeta(redis)).toMatchObject({ generation: 1, hosts: 100_000, minIntervalMs: 60_000 });
    for (const names of inBatches(hosts.map((h) => h.name), 1_000)) expect(await enrollDue(redis, lease, names, "missing")).toBe(true);
    expect(await redis.zcard(KEYS.due)).toBe(100_000);
  }, 120_000);
});
