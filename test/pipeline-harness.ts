import { join } from "node:path";
import { Redis } from "ioredis";
import type { CheckResult } from "@fleetwatch/core";
import { readLatestResult } from "@fleetwatch/core";
import type { AppName, FleetFileHost, RedisHandle } from "@fleetwatch/testkit";
import { AppProcess, DingtalkStandIn, Lab, startRedis, waitFor, writeFleetFile } from "@fleetwatch/testkit";

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

/** Redis, lab hosts, a DingTalk stand-in and the three apps as real processes. */
export class Pipeline {
  apps: AppProcess[] = [];
  redis!: Redis;
  redisHandle!: RedisHandle;
  standIn = new DingtalkStandIn({ robots: { [TOKEN]: SECRET } });
  lab!: Lab;
  config = "";
  private logs = 0;

  /** `persistentRedis`: Redis with `appendfsync always`, for tests that SIGKILL and restart it. */
  async start(options: { persistentRedis?: boolean } = {}): Promise<void> {
    this.redisHandle = await startRedis({ persistent: options.persistentRedis ?? false });
    this.redis = new Redis(this.redisHandle.url, { maxRetriesPerRequest: null });
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
    return { REDIS_URL: this.redisHandle.url, FW_TEST_WEBHOOK: this.standIn.url(TOKEN), FW_TEST_SECRET: SECRET };
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

  latest(host: string): Promise<CheckResult | undefined> {
    return readLatestResult(this.redis, host);
  }

  async stop(): Promise<void> {
    await Promise.all(this.apps.map((a) => a.stop()));
    this.redis?.disconnect();
    await this.redisHandle?.stop();
    await this.standIn.stop();
    if (process.env.FW_KEEP_LAB) console.log("lab kept at", this.lab.dir);
    else await this.lab?.close();
  }
}
