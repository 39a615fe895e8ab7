import { Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { createLogger, logSettingsFromEnv } from "./logger.js";
import { registerSecret } from "./secret-scrubber.js";

function sink(isTTY = false) {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      chunks.push(chunk.toString());
      done();
    },
  });
  Object.assign(stream, { isTTY });
  return { chunks, stream };
}

describe("logs", () => {
  it("are JSON lines by default and human-readable on a terminal or with LOG_FORMAT=pretty", () => {
    expect(logSettingsFromEnv({}, false)).toEqual({ level: "info", pretty: false, problems: [] });
    expect(logSettingsFromEnv({}, true)).toMatchObject({ pretty: true });
    expect(logSettingsFromEnv({ LOG_FORMAT: "json" }, true)).toMatchObject({ pretty: false });
    expect(logSettingsFromEnv({ LOG_FORMAT: "pretty" }, false)).toMatchObject({ pretty: true });
    const json = sink();
    createLogger("fleetwatch-worker", json.stream, {}).info({ host: "web-1", jobId: "web-1.42" }, "checked");
    expect(JSON.parse(json.chunks[0]!)).toMatchObject({ app: "fleetwatch-worker", host: "web-1", jobId: "web-1.42", msg: "checked", level: 30 });
    const pretty = sink();
    createLogger("fleetwatch-worker", pretty.stream, { LOG_FORMAT: "pretty" }).info({ host: "web-1" }, "checked");
    const text = pretty.chunks.join("");
    expect(text).toMatch(/INFO.*checked/);
    expect(text).toContain('host: "web-1"');
    expect(() => JSON.parse(text)).toThrow();
  });

  it("take their level from LOG_LEVEL, and say when it is not one", () => {
    const out = sink();
    const log = createLogger("fleetwatch-notifier", out.stream, { LOG_LEVEL: "warn" });
    log.info("hidden");
    log.warn("shown");
    expect(out.chunks.map((c) => JSON.parse(c).msg)).toEqual(["shown"]);
    const bad = sink();
    createLogger("fleetwatch-notifier", bad.stream, { LOG_LEVEL: "loud" });
    expect(JSON.parse(bad.chunks[0]!).msg).toContain("LOG_LEVEL=loud is not a level");
  });

  it("never show a secret, in a known field or anywhere else in the line", () => {
    const token = "tok-7f3a9c1e55d2";
    registerSecret(`https://oapi.dingtalk.com/robot/send?access_token=${token}`);
    registerSecret("pass\"word-with-quote");
    const out = sink();
    const log = createLogger("fleetwatch-notifier", out.stream, {});
    log.error({ webhook: "https://example/hook", robot: { secret: "SECxyz" }, password: "p" }, "send failed");
    log.error({ err: `request to https://oapi.dingtalk.com/robot/send?access_token=${token} failed` }, `token ${token} refused`);
    log.warn({ detail: 'auth pass"word-with-quote rejected' }, "x");
    const text = out.chunks.join("");
    expect(text).not.toContain(token);
    expect(text).not.toContain("SECxyz");
    expect(text).not.toContain("example/hook");
    expect(text).not.toContain("word-with-quote");
    expect(text).toContain("[redacted]");
  });
});
