import { pino, type Logger } from "pino";
import pretty from "pino-pretty";
import { scrubSecrets } from "./secret-scrubber.js";

/** Field paths whose values never reach a log line. */
export const REDACTED_PATHS = [
  "passphrase",
  "*.passphrase",
  "*.*.passphrase",
  "password",
  "*.password",
  "*.*.password",
  "webhook",
  "*.webhook",
  "*.*.webhook",
  "secret",
  "*.secret",
  "*.*.secret",
  "url",
  "*.url",
  "access_token",
  "*.access_token",
  "authorization",
  "*.authorization",
  "req.headers.authorization",
];

const LEVELS = ["fatal", "error", "warn", "info", "debug", "trace", "silent"];

export interface LogSettings {
  level: string;
  /** Pretty (human-readable) lines, or one JSON object per line. */
  pretty: boolean;
  /** What was wrong with LOG_LEVEL / LOG_FORMAT, said once the logger exists. */
  problems: string[];
}

/** LOG_LEVEL (default info) and LOG_FORMAT (json, pretty; default pretty on a terminal, else json). */
export function logSettingsFromEnv(env: NodeJS.ProcessEnv, isTty: boolean): LogSettings {
  const problems: string[] = [];
  let level = (env.LOG_LEVEL ?? "info").trim().toLowerCase() || "info";
  if (!LEVELS.includes(level)) {
    problems.push(`LOG_LEVEL=${env.LOG_LEVEL} is not a level (use ${LEVELS.join(", ")}); logging at info`);
    level = "info";
  }
  const format = (env.LOG_FORMAT ?? "").trim().toLowerCase();
  if (format !== "" && format !== "json" && format !== "pretty") problems.push(`LOG_FORMAT=${env.LOG_FORMAT} is not a format (use json or pretty); using json`);
  return { level, pretty: format === "pretty" || (format === "" && isTty), problems };
}

/**
 * Structured logs, one event per line, secrets redacted twice over: known secret fields by
 * path, and every registered secret value (registerSecret) wherever it appears. JSON lines,
 * or human-readable ones on a terminal or with LOG_FORMAT=pretty; level from LOG_LEVEL.
 */
export function createLogger(name: string, destination: NodeJS.WritableStream = process.stderr, env: NodeJS.ProcessEnv = process.env): Logger {
  const isTty = (destination as NodeJS.WriteStream).isTTY === true;
  const settings = logSettingsFromEnv(env, isTty);
  const stream = settings.pretty
    ? pretty({ destination, sync: true, colorize: isTty && env.NO_COLOR === undefined, translateTime: "SYS:HH:MM:ss.l", ignore: "pid,hostname,app" })
    : destination;
  const log = pino(
    {
      name,
      level: settings.level,
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      base: { app: name },
      timestamp: pino.stdTimeFunctions.isoTime,
      hooks: { streamWrite: scrubSecrets },
    },
    stream as pino.DestinationStream,
  );
  for (const problem of settings.problems) log.warn(problem);
  return log;
}

export type { Logger };
