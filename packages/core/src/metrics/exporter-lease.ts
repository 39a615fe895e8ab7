import type { Redis } from "ioredis";
import { KEYS } from "../pipeline/redis-keys.js";
import { defineScript, runScript } from "../pipeline/redis-script.js";

const TAKE_OR_RENEW = defineScript({
  name: "exporter lease take or renew",
  keys: () => [KEYS.metricsExporterLease],
  examples: [[]],
  lua: `
if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('PEXPIRE', KEYS[1], ARGV[2]) end
return redis.call('SET', KEYS[1], ARGV[1], 'PX', ARGV[2], 'NX') and 1 or 0
`,
});
const RELEASE = defineScript({
  name: "exporter lease release",
  keys: () => [KEYS.metricsExporterLease],
  examples: [[]],
  lua: `if redis.call('GET', KEYS[1]) == ARGV[1] then return redis.call('DEL', KEYS[1]) end return 0`,
});

export const EXPORTER_LEASE_SCRIPTS = [TAKE_OR_RENEW, RELEASE] as const;

/** Key of the lease: whoever holds it exports the fleet-wide gauges. */
export const EXPORTER_LEASE_KEY = KEYS.metricsExporterLease;

/**
 * A short lease in Redis deciding which one process exports the fleet-wide gauges (queue
 * depth, alerts by state), so that summing over replicas does not count them twice. Taken
 * and renewed on each scrape: a holder that stops being scraped (or dies) lets another
 * replica take over once `ttlMs` passes.
 */
export class ExporterLease {
  constructor(
    private readonly redis: Redis,
    private readonly id: string,
    private readonly ttlMs = 120_000,
  ) {}

  /** Takes or renews the lease; true while this process holds it. */
  async hold(): Promise<boolean> {
    return (await runScript(this.redis, TAKE_OR_RENEW, [], [this.id, this.ttlMs])) === 1;
  }

  /** Gives it up at shutdown, so the next scrape of another replica takes over at once. */
  async release(): Promise<void> {
    await runScript(this.redis, RELEASE, [], [this.id]);
  }
}
