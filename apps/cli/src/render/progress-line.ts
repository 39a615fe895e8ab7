import type { CheckResult } from "@fleetwatch/core";

/** A single self-rewriting line on a terminal: how far the sweep is and what it found so far. */
export function progressReporter(stream: NodeJS.WriteStream): { update(result: CheckResult, done: number, total: number): void; clear(): void } {
  if (!stream.isTTY) return { update: () => {}, clear: () => {} };
  const bad = { critical: 0, warning: 0, unknown: 0 };
  let lastDraw = 0;
  return {
    update(result, done, total) {
      if (result.state !== "ok") bad[result.state] += 1;
      const now = Date.now();
      if (done !== total && now - lastDraw < 100) return;
      lastDraw = now;
      const width = String(total).length;
      stream.write(
        `\r\u001b[2Kchecking ${String(done).padStart(width)}/${total} hosts — ${bad.critical} critical, ${bad.warning} warning, ${bad.unknown} unknown`,
      );
    },
    clear() {
      stream.write("\r\u001b[2K");
    },
  };
}
