import { Writable } from "node:stream";
import { pino } from "pino";
import { describe, expect, it } from "vitest";
import { describeRedisError, RedisOutageReporter } from "./redis-outage-reporter.js";

function capture() {
  const lines: { msg: string; retryInMs?: number; attempt?: number }[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()));
      done();
    },
  });
  return { lines, log: pino({ level: "info" }, stream) };
}

const refused = Object.assign(new Error("connect ECONNREFUSED 127.0.0.1:6390"), { code: "ECONNREFUSED" });

describe("the Redis outage reporter", () => {
  it("says one line per retry round of the whole process, backing off to 30 s, and one when Redis is back", async () => {
    const { lines, log } = capture();
    let now = 0;
    const reporter = new RedisOutageReporter(log, "redis://10.0.0.5:6379", () => now);
    const delays: number[] = [];
    // Three connections (the app's two and BullMQ's blocking one), each failing at every retry.
    for (let round = 0; round < 8; round++) {
      let delay = 0;
      for (let connection = 0; connection < 3; connection++) {
        reporter.noteError(refused);
        delay = reporter.retryDelay();
        now += 5; // the other connections fail a moment later
      }
      delays.push(delay);
      now += delay;
    }
    await new Promise((r) => setImmediate(r));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 30_000, 30_000, 30_000]);
    expect(lines).toHaveLength(8);
    expect(lines[0]!.msg).toBe("cannot reach Redis at redis://10.0.0.5:6379: connection refused (is Redis running and listening there?); retrying in 1 s");
    expect(reporter.problem).toContain("is unreachable: connection refused");
    reporter.noteReady();
    reporter.noteReady();
    await new Promise((r) => setImmediate(r));
    expect(lines.slice(8).map((l) => l.msg)).toEqual(["Redis at redis://10.0.0.5:6379 is reachable again"]);
    expect(reporter.problem).toBeUndefined();
    reporter.noteError(refused);
    expect(reporter.retryDelay()).toBe(1_000);
  });

  it("describes causes plainly, without the password", () => {
    expect(describeRedisError(Object.assign(new Error("x"), { code: "ETIMEDOUT" }))).toBe("connection timed out");
    expect(describeRedisError(new Error("WRONGPASS invalid username-password pair or user is disabled."))).toBe("authentication failed: check the user and password in REDIS_URL");
    expect(describeRedisError(new Error("cannot use redis://u:hunter22@h:1\n    at somewhere"))).toBe("cannot use redis://***@h:1");
  });
});
