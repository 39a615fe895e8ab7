import type { Redis } from "ioredis";
import { CHECK_SHARD_COUNT, checkShards } from "./check-shards.js";
import { KEYS } from "./redis-keys.js";
import { defineKeyGroup, defineScript, runScript } from "./redis-script.js";
import { assignShards } from "./shard-assignment.js";

/**
 * Registers this worker (live until the TTL, by Redis's clock; its join time kept), forgets
 * workers whose registration lapsed, and returns the live workers that have lasted at least
 * one lease (all live ones when none has), and each shard's lease value.
 * KEYS: workers, joined, lease 0 … lease S−1. ARGV: id, ttlMs.
 */
const HEARTBEAT = defineScript({
  name: "shard heartbeat",
  keys: (shards: readonly number[]) => [KEYS.shardWorkers, KEYS.shardWorkersJoined, ...shards.map(KEYS.shardLease)],
  examples: [[checkShards()]],
  lua: `
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local ttl = tonumber(ARGV[2])
for _, gone in ipairs(redis.call('ZRANGEBYSCORE', KEYS[1], '-inf', now)) do redis.call('HDEL', KEYS[2], gone) end
redis.call('ZREMRANGEBYSCORE', KEYS[1], '-inf', now)
redis.call('ZADD', KEYS[1], now + ttl, ARGV[1])
redis.call('HSETNX', KEYS[2], ARGV[1], now)
local live = redis.call('ZRANGE', KEYS[1], 0, -1)
local settled = {}
for _, w in ipairs(live) do
  if now - tonumber(redis.call('HGET', KEYS[2], w) or now) >= ttl then settled[#settled + 1] = w end
end
if #settled == 0 then settled = live end
local holders = {}
for i = 3, #KEYS do holders[i - 2] = redis.call('GET', KEYS[i]) or '' end
return { settled, holders, #live }
`,
});

/**
 * For each shard: renews this worker's lease when the stored value is still exactly its own
 * `id|token` (the fence: a lease that lapsed and went to another worker is never renewed
 * back), or takes a free shard with a new token when allowed to. Returns the token held, or −1.
 * KEYS: lease keys…, token counter. ARGV: id, ttlMs, then per shard: token held (0: none), may take (1/0).
 */
const CLAIM = defineScript({
  name: "shard claim",
  keys: (shards: readonly number[]) => [...shards.map(KEYS.shardLease), KEYS.shardLeaseToken],
  examples: [[[0]], [checkShards()]],
  lua: `
local out = {}
for i = 1, #KEYS - 1 do
  local held = ARGV[1 + 2 * i]
  local cur = redis.call('GET', KEYS[i])
  if cur and cur == ARGV[1] .. '|' .. held then
    redis.call('PEXPIRE', KEYS[i], ARGV[2])
    out[i] = tonumber(held)
  elseif (not cur) and ARGV[2 + 2 * i] == '1' then
    local token = redis.call('INCR', KEYS[#KEYS])
    redis.call('SET', KEYS[i], ARGV[1] .. '|' .. token, 'PX', ARGV[2])
    out[i] = token
  else
    out[i] = -1
  end
end
return out
`,
});

/** Deletes each lease still this worker's own (compare `id|token`); with ARGV[1] = '1', also unregisters. KEYS: workers, joined, leases…; ARGV: leave, id, values… */
const RELEASE = defineScript({
  name: "shard release",
  keys: (shards: readonly number[]) => [KEYS.shardWorkers, KEYS.shardWorkersJoined, ...shards.map(KEYS.shardLease)],
  examples: [[[]], [[3, 31]]],
  lua: `
for i = 3, #KEYS do
  if redis.call('GET', KEYS[i]) == ARGV[i] then redis.call('DEL', KEYS[i]) end
end
if ARGV[1] == '1' then
  redis.call('ZREM', KEYS[1], ARGV[2])
  redis.call('HDEL', KEYS[2], ARGV[2])
end
return 0
`,
});

/** Every shard's lease read at once (MGET), for status pages and tests. */
const SHARD_HOLDERS = defineKeyGroup({ name: "shard holders", keys: () => checkShards().map(KEYS.shardLease), examples: [[]] });

export const SHARD_LEASE_SCRIPTS = [HEARTBEAT, CLAIM, RELEASE];
export const SHARD_LEASE_KEY_GROUPS = [SHARD_HOLDERS];

/** What one renewal round decided for this worker. */
export interface ShardRound {
  /** Shards leased to this worker that it should consume. */
  consume: number[];
  /** Shards still leased to this worker that the assignment gives another: stop consuming, then release. */
  giveUp: number[];
  /** Shards this worker held until now and no longer does (its lease lapsed): stop consuming at once. */
  lost: number[];
  /** Live workers, this one included. */
  workers: number;
}

const holderId = (value: string): string | undefined => (value ? value.slice(0, value.lastIndexOf("|")) : undefined);

/**
 * This worker's side of the check shards: one `round()` per renew period registers it,
 * computes the balanced assignment over the live workers that have lasted one lease
 * (assignShards; a newcomer waits one lease before it gets shards, so a worker that crashes
 * at start-up, again and again, never holds hosts hostage), renews the leases it
 * holds and takes the free ones given to it; `release()` hands shards back once their consumers
 * are closed, `leave()` hands back everything on shutdown.
 *
 * Fencing: a lease lives `ttlMs` from its last renewal and is renewed only by the exact
 * `id|token` that took it, so a worker whose lease lapsed and went to another learns at its
 * next round that it lost the shard (`lost`), and can never take it back by renewing.
 */
export class ShardLeases {
  private readonly held = new Map<number, number>();

  constructor(
    private readonly redis: Redis,
    readonly id: string,
    private readonly ttlMs: number,
    private readonly shardCount = CHECK_SHARD_COUNT,
  ) {}

  /** Shards this worker holds a lease on now. */
  holding(): number[] {
    return [...this.held.keys()].sort((a, b) => a - b);
  }

  async round(): Promise<ShardRound> {
    const shards = checkShards().slice(0, this.shardCount);
    const [workers, values, live] = (await runScript(this.redis, HEARTBEAT, [shards], [this.id, this.ttlMs])) as [string[], string[], number];
    const owners = assignShards(this.shardCount, workers, values.map(holderId));
    const wanted = new Set(shards.filter((s) => owners[s] === this.id));
    const ask = shards.filter((s) => wanted.has(s) || this.held.has(s));
    const tokens =
      ask.length === 0 ? [] : ((await runScript(this.redis, CLAIM, [ask], [this.id, this.ttlMs, ...ask.flatMap((s) => [this.held.get(s) ?? 0, wanted.has(s) ? "1" : "0"])])) as number[]);
    const lost: number[] = [];
    ask.forEach((shard, i) => {
      const token = Number(tokens[i]);
      if (token >= 0) this.held.set(shard, token);
      else if (this.held.delete(shard)) lost.push(shard);
    });
    const holding = this.holding();
    return { consume: holding.filter((s) => wanted.has(s)), giveUp: holding.filter((s) => !wanted.has(s)), lost, workers: Number(live) };
  }

  /** Hands shards back (their consumers are closed): the workers they are assigned to take them at their next round. */
  async release(shards: readonly number[], leave = false): Promise<void> {
    const mine = shards.filter((s) => this.held.has(s));
    const values = mine.map((s) => `${this.id}|${this.held.get(s)}`);
    for (const s of mine) this.held.delete(s);
    await runScript(this.redis, RELEASE, [mine], [leave ? "1" : "0", this.id, ...values]);
  }

  /** On shutdown, once every consumer is closed: releases every lease and unregisters. */
  leave(): Promise<void> {
    return this.release(this.holding(), true);
  }
}

/** Who holds each shard now (`id|token`, or undefined), for status pages and tests. */
export async function shardHolders(redis: Redis): Promise<(string | undefined)[]> {
  const values = await redis.mget(...SHARD_HOLDERS.keys());
  return values.map((v) => v ?? undefined);
}
