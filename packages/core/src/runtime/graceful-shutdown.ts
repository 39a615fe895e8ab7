import type { Logger } from "pino";

/**
 * SIGTERM and SIGINT: run `stop` once (stop taking jobs, finish or hand back running ones,
 * close connections), then exit 0; a second signal, or a stop that takes too long, exits 1.
 */
export function onShutdown(log: Logger, stop: () => Promise<void>, graceMs = 60_000): void {
  let stopping = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping) {
      log.warn({ signal }, "second signal: exiting now");
      process.exit(1);
    }
    stopping = true;
    log.info({ signal }, "shutting down");
    const timer = setTimeout(() => {
      log.error({ graceMs }, "shutdown took too long; exiting");
      process.exit(1);
    }, graceMs);
    timer.unref();
    stop().then(
      () => {
        log.info("stopped");
        process.exit(0);
      },
      (error: Error) => {
        log.error({ err: error }, "error while stopping");
        process.exit(1);
      },
    );
  };
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
}
