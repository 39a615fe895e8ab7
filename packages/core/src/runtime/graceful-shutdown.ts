import type { Logger } from "pino";

/** Exit status of a process ended by a second signal: 128 + its number, as shells report it. */
const SIGNAL_EXIT: Partial<Record<NodeJS.Signals, number>> = { SIGINT: 130, SIGTERM: 143 };

/**
 * Signals arriving this close together are one request: tools such as `timeout`, or a
 * supervisor signalling both a process and its group, deliver the same stop twice.
 */
export const SAME_SIGNAL_WINDOW_MS = 300;

let early: { signal: NodeJS.Signals; at: number } | undefined;
let earlyHandler: ((signal: NodeJS.Signals) => void) | undefined;

/**
 * From the first moment of an app: a SIGTERM or SIGINT that arrives while it is still starting
 * is kept and acted on as soon as `onShutdown` is set up (a second one exits at once), rather
 * than killing the process mid-start.
 */
export function holdStopSignals(): void {
  if (earlyHandler) return;
  earlyHandler = (signal) => {
    if (early && Date.now() - early.at >= SAME_SIGNAL_WINDOW_MS) process.exit(SIGNAL_EXIT[signal] ?? 1);
    early ??= { signal, at: Date.now() };
  };
  process.on("SIGTERM", earlyHandler);
  process.on("SIGINT", earlyHandler);
}

/**
 * SIGTERM and SIGINT (Ctrl-C reaches the whole process group): run `stop` once (stop taking
 * work, let what is running finish within its deadlines, close connections), then exit 0.
 * A second signal (more than SAME_SIGNAL_WINDOW_MS after the first) exits at once; a stop
 * that takes longer than `graceMs` exits 1. A process started with an IPC channel (by
 * fleetwatch-pipeline) also stops when its parent is gone, and tells it when it is ready to be
 * stopped this way.
 */
export function onShutdown(log: Logger, stop: () => Promise<void>, graceMs = 60_000): void {
  let stopping = false;
  let firstAt = 0;
  const handler = (signal: NodeJS.Signals | "parent gone") => {
    if (stopping) {
      if (signal === "parent gone" || Date.now() - firstAt < SAME_SIGNAL_WINDOW_MS) return;
      log.warn({ signal }, "second signal: exiting now without waiting");
      process.exit(SIGNAL_EXIT[signal] ?? 1);
    }
    stopping = true;
    firstAt = Date.now();
    log.info({ signal, graceMs }, `${signal === "parent gone" ? "fleetwatch-pipeline is gone" : signal}: shutting down (a second Ctrl-C or SIGTERM exits at once)`);
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
        log.error({ err: error.message }, "error while stopping");
        process.exit(1);
      },
    );
  };
  if (earlyHandler) {
    process.off("SIGTERM", earlyHandler);
    process.off("SIGINT", earlyHandler);
    earlyHandler = undefined;
  }
  process.on("SIGTERM", handler);
  process.on("SIGINT", handler);
  if (early) {
    const { signal } = early;
    early = undefined;
    handler(signal);
  }
  if (process.channel && process.send) {
    // Tells fleetwatch-pipeline that a stop signal is now handled calmly (it holds them until then).
    process.send({ fleetwatch: "stoppable" }, undefined, {}, () => undefined);
    process.channel.unref();
    process.on("disconnect", () => handler("parent gone"));
  }
}
