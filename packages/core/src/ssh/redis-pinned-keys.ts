import type { Redis } from "ioredis";
import { KEYS } from "../pipeline/redis-keys.js";
import type { Result } from "../util/result.js";
import { ok } from "../util/result.js";
import type { HostKeyStore, KnownHostsFault } from "./host-key-store.js";
import type { KnownHostsMatch } from "./known-hosts.js";
import { keyTypeOfBlob, knownHostsName } from "./known-hosts.js";

/**
 * Trust-on-first-use for the pipeline: the first key a host shows is pinned in Redis, shared
 * by every worker. Loaded before the check (host key checks are synchronous), and a new pin
 * is written with HSETNX afterwards, so two workers racing on a new host keep the first.
 */
export class RedisPinnedKeys implements HostKeyStore {
  private pinned: Buffer | undefined;
  private toPin: Buffer | undefined;

  private constructor(
    private readonly redis: Redis,
    private readonly name: string,
  ) {}

  static async load(redis: Redis, address: string, port: number): Promise<RedisPinnedKeys> {
    const store = new RedisPinnedKeys(redis, knownHostsName(address, port));
    const value = await redis.hget(KEYS.pinnedHostKeys, store.name);
    if (value) store.pinned = Buffer.from(value, "base64");
    return store;
  }

  lookup(): Result<KnownHostsMatch, KnownHostsFault> {
    if (!this.pinned) return ok({ keys: [], revoked: [] });
    return ok({ keys: [{ keyType: keyTypeOfBlob(this.pinned) ?? "unknown", key: this.pinned }], revoked: [] });
  }

  pin(_address: string, _port: number, key: Buffer): Result<void, KnownHostsFault> {
    this.toPin = key;
    // What a kept connection's trust key is compared with from now on.
    this.pinned = key;
    return ok(undefined);
  }

  /**
   * Pins the key a host showed before any check runs on it: kept only if no worker pinned one
   * first (HSETNX); what is pinned now, ours or theirs, is what this check then accepts.
   */
  async pinFirst(key: Buffer): Promise<void> {
    await this.redis.hsetnx(KEYS.pinnedHostKeys, this.name, key.toString("base64"));
    const value = await this.redis.hget(KEYS.pinnedHostKeys, this.name);
    this.pinned = value ? Buffer.from(value, "base64") : undefined;
  }

  /** Writes a key pinned during the check. */
  async save(): Promise<void> {
    if (this.toPin) await this.redis.hsetnx(KEYS.pinnedHostKeys, this.name, this.toPin.toString("base64"));
  }
}
