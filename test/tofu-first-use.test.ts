import { join } from "node:path";
import type { Job } from "bullmq";
import { Queue } from "bullmq";
import { Redis } from "ioredis";
import type { Logger } from "pino";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { ResolvedHost, ResultJob } from "@fleetwatch/core";
import { CpuBaselines, fetchHostKey, KEYS, knownHostsName, parseFleetConfig, QUEUES, queueOptions, SshConnectionPool } from "@fleetwatch/core";
import type { LabHost, RedisHandle } from "@fleetwatch/testkit";
import { Lab, startRedis } from "@fleetwatch/testkit";
import { checkProcessor } from "../apps/worker/src/check-processor.js";

let lab: Lab;
let server: RedisHandle;
let redis: Redis;
let results: Queue<ResultJob>;
let pool: SshConnectionPool;
let host: LabHost;
const blobOf = (publicLine: string) => publicLine.split(/\s+/)[1]!;

beforeAll(async () => {
  lab = await Lab.create();
  [host] = await lab.startHosts({ behaviour: "logged" });
  server = await startRedis();
  redis = new Redis(server.url, { maxRetriesPerRequest: null });
  results = new Queue<ResultJob>(QUEUES.results, queueOptions(QUEUES.results, redis));
  pool = new SshConnectionPool();
}, 60_000);
afterAll(async () => {
  pool?.close();
  await results?.close();
  redis?.disconnect();
  await server?.stop();
  await lab?.close();
});

function tofuHost(name: string): ResolvedHost {
  const yaml = [
    "defaults: { thresholds: { cpu: {}, load: {} } }",
    "hosts:",
    `  - { name: ${name}, address: ${host!.address}, port: ${host!.port}, mounts: [/], ssh: { user: ${lab.user.name}, key: ${lab.clientKey.privatePath}, knownHosts: ${join(lab.dir, "absent_known_hosts")}, hostKeyPolicy: tofu, connectTimeout: 3s, handshakeTimeout: 5s, commandTimeout: 5s } }`,
  ].join("\n");
  const loaded = parseFleetConfig(`${yaml}\n`, "test.yaml");
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return loaded.value.hosts[0]!;
}

/** A logger that says nothing. */
const silent = { info() {}, warn() {}, error() {}, debug() {} } as unknown as Logger;
const runs = () => lab.commandLog(host!.address).split("\n").filter(Boolean).length;
const job = (resolved: ResolvedHost, id: string) => ({ id, data: { host: resolved, slot: 1, slotStart: Date.now(), configVersion: "test" } }) as unknown as Job;

describe("tofu in the pipeline, first use", () => {
  it("reads a host's key in the handshake and refuses it there: no login, nothing run", async () => {
    const before = runs();
    const shown = await fetchHostKey(host!.address, host!.port, 5_000);
    expect(shown.ok && shown.value.toString("base64")).toBe(blobOf(host!.hostKeys[0]!.publicLine));
    expect(lab.logins(host!)).toBe(0);
    expect(runs()).toBe(before);
  });

  it("when another worker pins a different key first, runs nothing on the host and says the key changed", async () => {
    const impostor = await lab.impostorKey("ed25519");
    const name = knownHostsName(host!.address, host!.port);
    // Another worker wins the race: its pin lands right after this one looked and found none.
    const racing = new Proxy(redis, {
      get(target, prop, receiver) {
        if (prop !== "hget") return Reflect.get(target, prop, receiver) as unknown;
        return async (key: string, field: string) => {
          const value = await target.hget(key, field);
          if (key === KEYS.pinnedHostKeys && field === name && value === null) await target.hsetnx(key, field, blobOf(impostor.publicLine));
          return value;
        };
      },
    });
    const before = runs();
    const processed = await checkProcessor(racing, results, silent, pool, new CpuBaselines(racing, 100))(job(tofuHost("racing"), "racing-1"));
    expect(processed.outcome).toBe("hostkey_mismatch");
    expect(runs(), "commands run on a key another worker did not pin").toBe(before);
    expect(await redis.hget(KEYS.pinnedHostKeys, name)).toBe(blobOf(impostor.publicLine));
  });

  it("pins the first key before the check runs, and checks with it", async () => {
    await redis.del(KEYS.pinnedHostKeys);
    const processed = await checkProcessor(redis, results, silent, pool, new CpuBaselines(redis, 100))(job(tofuHost("first"), "first-1"));
    expect(processed.outcome).toBe("ok");
    expect(await redis.hget(KEYS.pinnedHostKeys, knownHostsName(host!.address, host!.port))).toBe(blobOf(host!.hostKeys[0]!.publicLine));
  });
});
