import { appendFileSync } from "node:fs";

/** The fault classes of the suite, in the order the report lists them. */
export const FAULT_CLASSES = ["webhook", "storm", "hosts", "upgrades", "security", "processes"] as const;
export type FaultClass = (typeof FAULT_CLASSES)[number];

/** What one scenario counted: messages (or checks, or payloads) it expected and what became of them. */
export interface Counters {
  expected: number;
  delivered: number;
  lost: number;
  duplicated: number;
  /** Duplicates the guarantee in docs/pipeline.md allows for this scenario. */
  allowedDuplicates: number;
  /** Anything else worth a column: deadlines, leaked fds, refusals counted. */
  notes?: string;
}

export interface ScenarioResult extends Counters {
  faultClass: FaultClass;
  name: string;
  /** The guarantee held: nothing lost, no duplicate beyond what is allowed, every assertion passed. */
  held: boolean;
  /** Why it did not hold (the failed assertion), if it did not. */
  failure?: string;
  /** Marks a scenario that shows a known product bug. */
  knownBug?: string;
  durationMs: number;
  command: string;
}

/** Where the runner appends one JSON line per scenario; set by the faults vitest config. */
export const resultsFile = (): string | undefined => process.env.FAULTS_RESULTS;

export function appendResult(result: ScenarioResult): void {
  const file = resultsFile();
  if (file) appendFileSync(file, `${JSON.stringify(result)}\n`);
}

export function parseResults(text: string): ScenarioResult[] {
  return text
    .split("\n")
    .filter((line) => line.trim() !== "")
    .map((line) => JSON.parse(line) as ScenarioResult);
}
