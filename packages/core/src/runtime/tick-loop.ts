import type { Logger } from "pino";

/**
 * Runs `tick` again `everyMs()` after each run ends (never overlapping), logging and
 * surviving a failed tick. `stop()` ends the loop after the current tick.
 */
export function startTickLoop(log: Logger, what: string, tick: () => Promise<void>, everyMs: () => number): { stop(): void } {
  let timer: NodeJS.Timeout | undefined;
  let running = true;
  const loop = async () => {
    try {
      await tick();
    } catch (error) {
      log.error({ err: (error as Error).message }, `${what} failed; retrying`);
    }
    if (running) timer = setTimeout(() => void loop(), everyMs());
  };
  void loop();
  return {
    stop() {
      running = false;
      clearTimeout(timer);
    },
  };
}
