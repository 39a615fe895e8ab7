import type { Redis } from "ioredis";

/**
 * A Lua script with the keys it touches. On Redis Cluster a script may only touch keys of
 * one hash slot, so its keys come from `keys`, the one place that names them, and the
 * hash-slot test (redis-script-registry.test.ts) computes their slots from `examples`.
 */
export interface RedisScript<P extends readonly unknown[]> {
  /** Unique, for the registry and test messages. */
  readonly name: string;
  readonly lua: string;
  /** KEYS, in order, from what identifies them (a host, a robot, a lease…). */
  readonly keys: (...params: P) => readonly string[];
  /** Parameters of different shapes (names, addresses) the hash-slot test tries. */
  readonly examples: readonly P[];
}

/** Declares a script; list it in `REDIS_SCRIPTS` (redis-script-registry.ts) so its slots are tested. */
export const defineScript = <P extends readonly unknown[]>(script: RedisScript<P>): RedisScript<P> => script;

/** Runs a script (EVAL): on a cluster, ioredis sends it to the node of its first key. */
export function runScript<P extends readonly unknown[]>(redis: Redis, script: RedisScript<P>, params: P, args: readonly (string | number)[] = []): Promise<unknown> {
  const keys = script.keys(...params);
  return redis.eval(script.lua, keys.length, ...keys, ...args.map(String));
}

/**
 * Keys one command, MULTI or pipeline touches together (MGET, a MULTI, an ioredis pipeline on
 * a cluster): like a script's, they must share one hash slot.
 */
export interface RedisKeyGroup<P extends readonly unknown[]> {
  readonly name: string;
  readonly keys: (...params: P) => readonly string[];
  readonly examples: readonly P[];
}

/** Declares a multi-key command's keys; list it in `REDIS_KEY_GROUPS` (redis-script-registry.ts). */
export const defineKeyGroup = <P extends readonly unknown[]>(group: RedisKeyGroup<P>): RedisKeyGroup<P> => group;
