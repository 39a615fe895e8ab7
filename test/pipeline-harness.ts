import { join } from "node:path";
import { Redis } from "ioredis";
import type { CheckResult } from "@fleetwatch/core";
import { readLatestResult } from "@fleetwatch/core";
import type { AppName, FleetFileHost, RedisClusterHandle, RedisHandle, RedisOptions } from "@fleetwatch/testkit";
import { AppProcess, DingtalkStandIn, Lab, startRedis, startRedisCluster, waitFor, writeFleetFile } from "@fleetwatch/testkit";

export const TOKEN = "robot-token";
export const SECRET = "SEC-test-signing-secret";
export const MOBILE = "13800000000";

/** Waits until `check` returns a value, polling; fails after `timeoutMs`. */
export const eventually = <T>(check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 20_000, what = "condition"): Promise<T> =>
  waitFor(what, check, timeoutMs);

/** Default lines for the fleet file; a line with the same key in `overrides` wins. */
function mergeDefaults(base: string[], overrides: string[]): string[] {
  const key = (line: string) => line.split(":")[0]!;
  const overridden = new Set(overrides.map(key));
  return [...base.filter((line) => !overridden.has(key(line))), ...overrides];
}

export const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * FLEETWATCH_TEST_CLUSTER=1 runs the pipeline tests against a three-master Redis Cluster
 * instead of one redis-server (the long mode; CI runs test/redis-cluster.test.ts only).
 */
export const onCluster = (): boolean => process.env.FLEETWATCH_TEST_CLUSTER === "1";

/** Redis, lab hosts, a DingTalk stand-in and the three apps as real processes. */
export class Pipeline {
  apps: AppProcess[] = [];
  redis!: Redis;
  /** The single redis-server (undefined on a cluster, where `cluster` is set). */
  redisHandle!: RedisHandle;
  cluster: RedisClusterHandle | undefined;
  standIn = new DingtalkStandIn({ robots: { [TOKEN]: SECRET } });
  lab!: Lab;
  config = "";
  /** How the test's Redis is started (a password: `REDIS_URL` then carries it). */
  redisOptions: RedisOptions = {};
  private logs = 0;

  /** REDIS_URL of the pipeline's Redis: one URL, or a cluster's seed nodes. */
  get redisUrl(): string {
    return this.cluster?.url ?? this.redisHandle.url;
  }

  /**
   * `persistentRedis`: Redis with `appendfsync always`, for tests that SIGKILL and restart it
   * (one server only). `cluster`: a three-master Redis Cluster (default: FLEETWATCH_TEST_CLUSTER=1).
   */
  async start(options: { persistentRedis?: boolean; cluster?: boolean } = {}): Promise<void> {
    if (options.cluster ?? (onCluster() && !options.persistentRedis && this.redisOptions.password === undefined)) {
      this.cluster = await startRedisCluster();
      this.redis = this.cluster.client();
    } else {
      this.redisHandle = await startRedis({ ...this.redisOptions, persistent: options.persistentRedis ?? this.redisOptions.persistent ?? false });
      this.redis = new Redis(this.redisHandle.url, { maxRetriesPerRequest: null });
    }
    // Tests that kill Redis: this client reconnects; its errors meanwhile are expected.
    this.redis.on("error", () => undefined);
    await this.standIn.start();
    this.lab = await Lab.create();
  }

  /** Writes the fleet file; notify timers in ms so tests run in seconds. */
  writeConfig(knownHosts: string, hosts: FleetFileHost[], notify: Record<string, string> = {}, defaults: string[] = []): string {
    const timers = { groupWait: "500ms", groupInterval: "1s", repeatInterval: "1h", ...notify };
    this.config = writeFleetFile(
      this.lab,
      "fleet.yaml",
      knownHosts,
      hosts,
      mergeDefaults(["  connectTimeout: 5s", "  handshakeTimeout: 10s", "  commandTimeout: 10s", "interval: 1s", "for: 2", "thresholds: { cpu: {}, load: {} }"], defaults),
      [
        "notify:",
        ...Object.entries(timers).map(([k, v]) => `  ${k}: ${v}`),
        "  locale: en",
        "  timezone: UTC",
        "  dingtalk:",
        "    - name: ops",
        "      webhook: ${FW_TEST_WEBHOOK}",
        "      secret: ${FW_TEST_SECRET}",
        `      atMobiles: ["${MOBILE}"]`,
        "      mentionOn: critical",
      ],
    );
    return this.config;
  }

  env(): Record<string, string> {
    return { REDIS_URL: this.redisUrl, FW_TEST_WEBHOOK: this.standIn.url(TOKEN), FW_TEST_SECRET: SECRET };
  }

  spawn(app: AppName, env: Record<string, string> = {}): AppProcess {
    const proc = new AppProcess(app, this.config, { ...this.env(), ...env }, join(this.lab.dir, `${app}-${this.logs++}.log`));
    this.apps.push(proc);
    return proc;
  }

  startAll(): void {
    this.spawn("scheduler");
    this.spawn("worker");
    this.spawn("notifier");
  }

  /** Empties Redis: every master of a cluster (a FLUSHALL through a cluster client reaches one). */
  async flushRedis(): Promise<void> {
    if (this.cluster) await this.cluster.flushAll();
    else await this.redis.flushall();
  }

  /** Every key in Redis: on a cluster, KEYS on each master (a KEYS through a cluster client sees one node). */
  async allKeys(): Promise<string[]> {
    if (!this.cluster) return this.redis.keys("*");
    const perNode = await Promise.all(
      this.cluster.nodes.map(async (node) => {
        const direct = new Redis(node.url, { maxRetriesPerRequest: 1 });
        try {
          return await direct.keys("*");
        } finally {
          direct.disconnect();
        }
      }),
    );
    return perNode.flat();
  }

  latest(host: string): Promise<CheckResult | undefined> {
    return readLatestResult(this.redis, host);
  }

  async stop(): Promise<void> {
    await Promise.all(this.apps.map((a) => a.stop()));
    this.redis?.disconnect();
    await this.redisHandle?.stop();
    await this.cluster?.stop();
    await this.standIn.stop();
    if (process.env.FW_KEEP_LAB) console.log("lab kept at", this.lab.dir);
    else await this.lab?.close();
  }
}
