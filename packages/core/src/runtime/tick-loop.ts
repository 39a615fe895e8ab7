import type { Logger } from "pino";

/**
 * Runs `tick` again `everyMs()` after each run ends (never overlapping), logging and
 * surviving a failed tick. `stop()` ends the loop and resolves once the current tick is over.
 */
export function startTickLoop(log: Logger, what: string, tick: () => Promise<void>, everyMs: () => number): { stop(): Promise<void> } {
  let timer: NodeJS.Timeout | undefined;
  let running = true;
  let current: Promise<void> = Promise.resolve();
  const loop = async () => {
    try {
      await tick();
    } catch (error) {
      log.error({ err: (error as Error).message }, `${what} failed; retrying`);
    }
    if (running) timer = setTimeout(() => (current = loop()), everyMs());
  };
  current = loop();
  return {
    async stop() {
      running = false;
      clearTimeout(timer);
      await current;
    },
  };
}
