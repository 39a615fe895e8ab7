import type { Redis } from "ioredis";
import type { ResolvedHost } from "../config/resolved-host.js";
import { resolvedHostSchema } from "../config/resolved-host.js";
import type { Lease } from "./scheduler-lease.js";
import { fenceOf } from "./scheduler-lease.js";
import { KEYS } from "./redis-keys.js";
import { defineScript, runScript } from "./redis-script.js";

/** The set of hosts fleetwatch monitors, as the leading scheduler published it. */
export interface MembershipMeta {
  /** Rises on every change; 0 before anything was published. */
  generation: number;
  configVersion?: string;
  publishedAt?: number;
  /** Number of hosts, and the shortest interval among them (what the pipeline should produce). */
  hosts: number;
  minIntervalMs?: number;
}

export interface Membership extends MembershipMeta {
  members: ResolvedHost[];
  /** Host entries that could not be read (skipped). */
  unreadable: string[];
}

/** Before membership existed the scheduler kept its host names in this set: read once, to remove what left. */
const LEGACY_SCHEDULED_HOSTS = "fleetwatch:{sched}:hosts";

/**
 * Publishes a membership, fenced by the lease: refused (nil) if the lease is no longer
 * this replica's. Removed hosts are recorded with the new generation until their removal
 * event is queued. KEYS: lease, members, meta, removals, legacy set.
 * ARGV: fence, configVersion, minIntervalMs, hostCount, nSet, nDel, then nSet (name, json) pairs, then nDel names.
 */
const PUBLISH = defineScript({
  name: "membership publish",
  keys: () => [KEYS.schedulerLease, KEYS.members, KEYS.membership, KEYS.removals, LEGACY_SCHEDULED_HOSTS],
  examples: [[]],
  lua: `
if redis.call('GET', KEYS[1]) ~= ARGV[1] then return nil end
local nset = tonumber(ARGV[5])
local ndel = tonumber(ARGV[6])
local gen = tonumber(redis.call('HGET', KEYS[3], 'generation') or '0')
if nset + ndel > 0 or gen == 0 then
  gen = redis.call('HINCRBY', KEYS[3], 'generation', 1)
end
local i = 7
for _ = 1, nset do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  redis.call('HDEL', KEYS[4], ARGV[i])
  i = i + 2
end
for _ = 1, ndel do
  redis.call('HDEL', KEYS[2], ARGV[i])
  redis.call('HSET', KEYS[4], ARGV[i], gen)
  i = i + 1
end
local t = redis.call('TIME')
redis.call('HSET', KEYS[3], 'configVersion', ARGV[2], 'minIntervalMs', ARGV[3], 'hosts', ARGV[4], 'publishedAt', t[1] * 1000 + math.floor(t[2] / 1000))
redis.call('DEL', KEYS[5])
return gen
`,
});

export interface PublishOutcome {
  generation: number;
  added: string[];
  removed: string[];
  changed: string[];
}

/** What differs between a stored membership and a list of hosts. */
export function membershipDiff(stored: ReadonlyMap<string, string>, hosts: readonly ResolvedHost[]): { set: [string, string][]; added: string[]; removed: string[]; changed: string[] } {
  const wanted = new Map(hosts.map((h) => [h.name, JSON.stringify(h)]));
  const set: [string, string][] = [];
  const added: string[] = [];
  const changed: string[] = [];
  for (const [name, json] of wanted) {
    const before = stored.get(name);
    if (before === json) continue;
    set.push([name, json]);
    (before === undefined ? added : changed).push(name);
  }
  const removed = [...stored.keys()].filter((name) => !wanted.has(name));
  return { set, added, removed, changed };
}

/** The leader publishes its hosts; returns undefined when it no longer holds the lease. */
export async function publishMembership(redis: Redis, lease: Lease, hosts: readonly ResolvedHost[], configVersion: string): Promise<PublishOutcome | undefined> {
  const stored = new Map(Object.entries(await redis.hgetall(KEYS.members)));
  if ((await redis.exists(KEYS.membership)) === 0) {
    for (const name of await redis.smembers(LEGACY_SCHEDULED_HOSTS)) if (!stored.has(name)) stored.set(name, "");
  }
  const diff = membershipDiff(stored, hosts);
  const minInterval = hosts.length > 0 ? Math.min(...hosts.map((h) => h.intervalMs)) : 0;
  const generation = await runScript(redis, PUBLISH, [], [
    fenceOf(lease),
    configVersion,
    minInterval,
    hosts.length,
    diff.set.length,
    diff.removed.length,
    ...diff.set.flat(),
    ...diff.removed,
  ]);
  if (generation === null) return undefined;
  return { generation: Number(generation), added: diff.added, removed: diff.removed, changed: diff.changed };
}

/** The membership's generation and summary: cheap, for followers and the notifier's stall check. */
export async function readMembershipMeta(redis: Redis): Promise<MembershipMeta> {
  const raw = await redis.hgetall(KEYS.membership);
  const meta: MembershipMeta = { generation: Number(raw.generation ?? 0), hosts: Number(raw.hosts ?? 0) };
  if (raw.configVersion) meta.configVersion = raw.configVersion;
  if (raw.publishedAt) meta.publishedAt = Number(raw.publishedAt);
  if (raw.minIntervalMs && Number(raw.minIntervalMs) > 0) meta.minIntervalMs = Number(raw.minIntervalMs);
  return meta;
}

/** The published membership: every host with its settings. For the scheduler, the notifier, the dashboard and `fleetwatch status`. */
export async function readMembership(redis: Redis): Promise<Membership> {
  const [meta, raw] = await Promise.all([readMembershipMeta(redis), redis.hgetall(KEYS.members)]);
  const members: ResolvedHost[] = [];
  const unreadable: string[] = [];
  for (const [name, json] of Object.entries(raw)) {
    let parsed;
    try {
      parsed = resolvedHostSchema.safeParse(JSON.parse(json));
    } catch {
      parsed = undefined;
    }
    if (parsed?.success) members.push(parsed.data);
    else unreadable.push(name);
  }
  members.sort((a, b) => a.name.localeCompare(b.name));
  return { ...meta, members, unreadable };
}

/** Hosts removed whose removal event is not queued yet: host → generation. */
export async function pendingRemovals(redis: Redis): Promise<Map<string, number>> {
  return new Map(Object.entries(await redis.hgetall(KEYS.removals)).map(([host, gen]) => [host, Number(gen)]));
}

const CLEAR_REMOVAL = defineScript({
  name: "membership clear removal",
  keys: () => [KEYS.removals],
  examples: [[]],
  lua: `
if redis.call('HGET', KEYS[1], ARGV[1]) == ARGV[2] then return redis.call('HDEL', KEYS[1], ARGV[1]) end
return 0
`,
});

export const MEMBERSHIP_SCRIPTS = [PUBLISH, CLEAR_REMOVAL] as const;

/** The removal event of `host` in `generation` is queued. */
export async function clearRemoval(redis: Redis, host: string, generation: number): Promise<void> {
  await runScript(redis, CLEAR_REMOVAL, [], [host, generation]);
}
