import type { Redis } from "ioredis";
import type { HostAlerts } from "../alerting/alert-state.js";
import { hostAlertsSchema } from "../alerting/alert-state.js";
import type { GroupTimer } from "../alerting/plan-dispatch.js";
import type { Silence } from "../alerting/silence.js";
import { silenceSchema } from "../alerting/silence.js";
import { KEYS } from "./redis-keys.js";

/**
 * Compare-and-set of one host's alert state: written only if nobody wrote since it was read
 * (same version). Keeps the active-host set and the stale index in step, atomically.
 * KEYS: host doc, active set, stale zset. ARGV: host, expected version, json, active?, stale-at (or -1 to drop), delete?
 */
const CAS = `
local cur = redis.call('GET', KEYS[1])
local version = 0
if cur then version = cjson.decode(cur)['version'] or 0 end
if version ~= tonumber(ARGV[2]) then return 0 end
if ARGV[6] == '1' then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
  return 1
end
redis.call('SET', KEYS[1], ARGV[3])
if ARGV[4] == '1' then redis.call('SADD', KEYS[2], ARGV[1]) else redis.call('SREM', KEYS[2], ARGV[1]) end
if tonumber(ARGV[5]) >= 0 then redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1]) else redis.call('ZREM', KEYS[3], ARGV[1]) end
return 1
`;

export interface HostWrite {
  state: HostAlerts;
  /** When the host goes stale without news; undefined to stop watching it. */
  staleAt?: number;
  delete?: boolean;
}

/** The notifier's state in Redis, all under one hash tag so scripts may touch it together. */
export class AlertStore {
  constructor(private readonly redis: Redis) {}

  async load(host: string): Promise<HostAlerts | undefined> {
    const text = await this.redis.get(KEYS.hostAlerts(host));
    return text ? hostAlertsSchema.parse(JSON.parse(text)) : undefined;
  }

  /**
   * Reads, changes and writes one host's state, retrying when another replica wrote in
   * between. `change` must be a pure function of what it is given.
   */
  async update(host: string, change: (current: HostAlerts | undefined) => HostWrite | undefined): Promise<HostAlerts | undefined> {
    for (let attempt = 0; attempt < 50; attempt++) {
      const current = await this.load(host);
      const write = change(current);
      if (!write) return current;
      const expected = current?.version ?? 0;
      const next = { ...write.state, version: expected + 1 };
      const active = Object.keys(next.alerts).length > 0;
      const ok = await this.redis.eval(
        CAS,
        3,
        KEYS.hostAlerts(host),
        KEYS.activeHosts,
        KEYS.staleDeadlines,
        host,
        String(expected),
        JSON.stringify(next),
        active ? "1" : "0",
        String(write.staleAt ?? -1),
        write.delete ? "1" : "0",
      );
      if (ok === 1) return write.delete ? undefined : next;
    }
    throw new Error(`bug or extreme contention: could not update alert state of ${host} after 50 attempts`);
  }

  async activeHosts(): Promise<string[]> {
    return this.redis.smembers(KEYS.activeHosts);
  }

  async staleHosts(now: number): Promise<string[]> {
    return this.redis.zrangebyscore(KEYS.staleDeadlines, 0, now);
  }

  async loadMany(hosts: readonly string[]): Promise<HostAlerts[]> {
    if (hosts.length === 0) return [];
    const texts = await this.redis.mget(...hosts.map((h) => KEYS.hostAlerts(h)));
    return texts.flatMap((t) => (t ? [hostAlertsSchema.parse(JSON.parse(t))] : []));
  }

  async timers(): Promise<Record<string, GroupTimer>> {
    const raw = await this.redis.hgetall(KEYS.groups);
    return Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, JSON.parse(v) as GroupTimer]));
  }

  async saveTimers(changes: Record<string, GroupTimer | null>): Promise<void> {
    const set = Object.entries(changes).filter(([, v]) => v !== null);
    const drop = Object.entries(changes).filter(([, v]) => v === null).map(([k]) => k);
    const multi = this.redis.multi();
    if (set.length > 0) multi.hset(KEYS.groups, Object.fromEntries(set.map(([k, v]) => [k, JSON.stringify(v)])));
    if (drop.length > 0) multi.hdel(KEYS.groups, ...drop);
    await multi.exec();
  }

  async silences(): Promise<Silence[]> {
    const raw = await this.redis.hgetall(KEYS.silences);
    return Object.values(raw).flatMap((v) => {
      const parsed = silenceSchema.safeParse(JSON.parse(v));
      return parsed.success ? [parsed.data] : [];
    });
  }

  async saveSilence(silence: Silence): Promise<void> {
    await this.redis.hset(KEYS.silences, silence.id, JSON.stringify(silence));
  }

  async deleteSilence(id: string): Promise<boolean> {
    return (await this.redis.hdel(KEYS.silences, id)) === 1;
  }

  async noteResultSeen(now: number): Promise<void> {
    await this.redis.set(KEYS.lastAnyResult, String(now));
  }

  async lastResultSeen(): Promise<number | undefined> {
    const v = await this.redis.get(KEYS.lastAnyResult);
    return v ? Number(v) : undefined;
  }
}
