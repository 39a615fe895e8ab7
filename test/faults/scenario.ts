import { relative } from "node:path";
import { fileURLToPath } from "node:url";
import { it } from "vitest";
import type { Counters, FaultClass } from "./scenario-results.js";
import { appendResult } from "./scenario-results.js";

/** The full suite (`npm run test:faults`) runs every scenario; `npm test` only those marked `short`. */
export const FULL = process.env.FAULTS_FULL === "1";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));

export interface ScenarioOptions {
  /** Runs in `npm test`'s short form too (one scenario per class). */
  short?: boolean;
  timeoutMs?: number;
  knownBug?: string;
}

/** Counters for messages: each expected key delivered once, with what was lost and doubled. */
export function countDeliveries(expected: string[], delivered: string[], allowedDuplicates = 0): Counters {
  const seen = new Map<string, number>();
  for (const key of delivered) seen.set(key, (seen.get(key) ?? 0) + 1);
  const lost = expected.filter((key) => !seen.has(key)).length;
  const duplicated = [...seen.values()].reduce((sum, n) => sum + Math.max(0, n - 1), 0);
  return { expected: expected.length, delivered: expected.filter((key) => seen.has(key)).length, lost, duplicated, allowedDuplicates };
}

/**
 * One fault scenario: a vitest test whose body returns its counters. They go to the results
 * file (for docs/reliability.md) whether or not it held, and then it fails unless nothing was
 * lost and nothing doubled beyond what the guarantee allows.
 */
export function scenario(file: string, faultClass: FaultClass, name: string, options: ScenarioOptions, body: () => Promise<Counters>): void {
  const path = relative(ROOT, fileURLToPath(file));
  const command = `npx vitest run --config test/faults/vitest.config.ts ${path} -t ${JSON.stringify(name)}`;
  const run = FULL || options.short ? it : it.skip;
  run(name, { timeout: options.timeoutMs ?? 120_000 }, async () => {
    const started = Date.now();
    let counters: Counters = { expected: 0, delivered: 0, lost: 0, duplicated: 0, allowedDuplicates: 0 };
    let failure: string | undefined;
    try {
      counters = await body();
      if (counters.lost > 0 || counters.duplicated > counters.allowedDuplicates) {
        failure = `lost ${counters.lost}, duplicated ${counters.duplicated} (allowed ${counters.allowedDuplicates})`;
      }
    } catch (error) {
      failure = (error as Error).message.split("\n")[0];
      throw error;
    } finally {
      appendResult({
        ...counters,
        faultClass,
        name,
        held: failure === undefined,
        ...(failure === undefined ? {} : { failure }),
        ...(options.knownBug ? { knownBug: options.knownBug } : {}),
        durationMs: Date.now() - started,
        command,
      });
    }
    if (failure) throw new Error(`${name}: ${failure}`);
  });
}
