import { pino, type Logger } from "pino";

/** Field paths whose values never reach a log line. */
export const REDACTED_PATHS = [
  "passphrase",
  "*.passphrase",
  "*.*.passphrase",
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
];

/** Structured JSON logs, one event per line, secrets redacted. Level from LOG_LEVEL. */
export function createLogger(name: string, destination: NodeJS.WritableStream = process.stderr): Logger {
  return pino(
    {
      name,
      level: process.env.LOG_LEVEL ?? "info",
      redact: { paths: REDACTED_PATHS, censor: "[redacted]" },
      base: { app: name },
      timestamp: pino.stdTimeFunctions.isoTime,
    },
    destination as pino.DestinationStream,
  );
}

export type { Logger };
