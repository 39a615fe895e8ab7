import type { Logger } from "pino";
import { hideCredentials } from "./redis-url.js";

/** Backoff of every connection of the process while Redis is unreachable: 1 s doubling to 30 s. */
export const REDIS_RETRY_FIRST_MS = 1_000;
export const REDIS_RETRY_MAX_MS = 30_000;

const CAUSES: Record<string, string> = {
  ECONNREFUSED: "connection refused (is Redis running and listening there?)",
  ECONNRESET: "connection reset",
  ETIMEDOUT: "connection timed out",
  EHOSTUNREACH: "host unreachable",
  ENETUNREACH: "network unreachable",
  ENOTFOUND: "no such host name",
  EAI_AGAIN: "host name lookup failed",
  EPIPE: "connection closed by Redis",
};

/** One short sentence for what went wrong with a Redis connection: no stack, no password. */
export function describeRedisError(error: Error & { code?: string }): string {
  const message = error.message ?? String(error);
  if (error.code && CAUSES[error.code]) return CAUSES[error.code]!;
  if (/WRONGPASS|NOAUTH|invalid password|invalid username-password/i.test(message)) {
    return "authentication failed: check the user and password in REDIS_URL";
  }
  if (/Connection is closed|Stream isn't writeable|connection closed/i.test(message)) return "connection closed";
  return hideCredentials(message.split("\n")[0]!.slice(0, 200));
}

/** Whether an error is only a sign of the connection trouble the reporter already speaks of. */
export function isRedisConnectionError(error: Error & { code?: string }): boolean {
  return (
    (error.code !== undefined && error.code in CAUSES) ||
    /Connection is closed|Stream isn't writeable|connect ETIMEDOUT|ECONNREFUSED|ECONNRESET|WRONGPASS|NOAUTH|Reached the max retries|ClusterAllFailedError|Failed to refresh slots cache|None of startup nodes is available/i.test(
      error.message ?? "",
    )
  );
}

/**
 * Speaks for all of a process's Redis connections (its own and BullMQ's duplicates) while
 * Redis is unreachable: one plain line per retry with the address and the cause, backing off
 * 1 s, 2 s, 4 s … 30 s, and one line when Redis is back. Every connection's retryStrategy
 * asks it for the delay, so they back off together.
 */
export class RedisOutageReporter {
  private delayMs = REDIS_RETRY_FIRST_MS;
  private attempt = 0;
  private lastLogAt = 0;
  private cause: string | undefined;
  private down = false;

  constructor(
    private readonly log: Logger,
    /** The address, e.g. redis://10.0.0.5:6379: never the password. */
    readonly display: string,
    private readonly now: () => number = Date.now,
  ) {}

  /** A connection reported an error: remember why, say nothing yet. */
  noteError(error: Error & { code?: string }): void {
    this.cause = describeRedisError(error);
  }

  /** A connection is (back) up. */
  noteReady(): void {
    if (this.down) this.log.info({ redis: this.display }, `Redis at ${this.display} is reachable again`);
    this.down = false;
    this.attempt = 0;
    this.delayMs = REDIS_RETRY_FIRST_MS;
    this.cause = undefined;
  }

  /** The problem right now, for /readyz; undefined while Redis is fine. */
  get problem(): string | undefined {
    return this.down ? `Redis at ${this.display} is unreachable: ${this.cause ?? "no connection"}` : undefined;
  }

  /**
   * For every connection's retryStrategy: how long to wait before reconnecting. Logs one line
   * per retry round of the whole process (connections retrying within the same round are
   * folded into it).
   */
  retryDelay(): number {
    const now = this.now();
    this.down = true;
    if (this.attempt === 0 || now - this.lastLogAt >= this.delayMs * 0.8) {
      if (this.attempt > 0) this.delayMs = Math.min(REDIS_RETRY_MAX_MS, this.delayMs * 2);
      this.attempt += 1;
      this.lastLogAt = now;
      this.log.warn(
        { redis: this.display, attempt: this.attempt, retryInMs: this.delayMs, cause: this.cause ?? "connection lost" },
        `cannot reach Redis at ${this.display}: ${this.cause ?? "connection lost"}; retrying in ${Math.round(this.delayMs / 1000)} s`,
      );
    }
    return this.delayMs;
  }
}
