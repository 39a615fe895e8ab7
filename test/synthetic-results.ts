import type { Logger } from "pino";
import type { ResultJob } from "@fleetwatch/core";

const say = (level: string) => (o: unknown, m: string) => console.log(level, m, JSON.stringify(o));
/** A logger for apps run inside a test: silent unless FW_TEST_LOG is set. */
export const quietLog = (process.env.FW_TEST_LOG
  ? { info: say("I"), debug() {}, warn: say("W"), error: say("E"), fatal: say("F") }
  : { info() {}, debug() {}, warn() {}, error() {}, fatal() {} }) as unknown as Logger;

export interface SyntheticResultOptions {
  /** The one check the result carries. @defaultValue "process:app" */
  check?: string;
  /** @defaultValue 60000 */
  intervalMs?: number;
}

/**
 * A result job of the first payload version (still accepted) for one host with one check:
 * what a worker publishes, without SSH, for tests whose subject is the notifier.
 */
export function syntheticResult(host: string, slotStart: number, state: "ok" | "critical", options: SyntheticResultOptions = {}): Extract<ResultJob, { kind: "result" }> {
  const check = options.check ?? "process:app";
  const word = check.startsWith("process:") ? check.slice("process:".length) : check;
  return {
    kind: "result",
    slot: 0,
    slotStart,
    intervalMs: options.intervalMs ?? 60_000,
    for: 1,
    result: {
      version: 1,
      host: { name: host, address: "127.0.0.1", port: 22 },
      outcome: "ok",
      state,
      metrics: null,
      checks: [{ name: check, state, message: `${word} ${state}` }],
      startedAt: slotStart,
      finishedAt: slotStart,
      durationMs: 1,
      timings: { connectMs: 0, handshakeMs: 0, commandMs: 0 },
      retried: false,
    },
  };
}
