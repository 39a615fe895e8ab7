import { readFileSync } from "node:fs";
import type { ReceivedMessage } from "../dingtalk-stand-in.js";
import { waitFor } from "../wait-for.js";
import type { DemoSystem } from "./demo-system.js";

/** How long any one step of the story may take on a slow, loaded machine. */
const STEP_LIMIT_MS = 90_000;

/** The story went differently from how it is told: the demo says so and exits non-zero. */
export class StoryError extends Error {}

export const seconds = (ms: number) => `${(ms / 1000).toFixed(0)} s`;

/** The pipeline's last log lines, to show with a story error (the log goes with the clean-up). */
function pipelineLogTail(demo: DemoSystem, lines = 15): string {
  try {
    const tail = readFileSync(demo.pipeline.log, "utf8").trimEnd().split("\n").slice(-lines);
    return `\nThe pipeline's last ${tail.length} log lines:\n${tail.join("\n")}`;
  } catch {
    return "";
  }
}

/**
 * Waits until `condition` holds; a story error, naming what it waited for, with the end of
 * the pipeline's log, when the step limit passes or the pipeline has died.
 */
export async function storyWait<T>(demo: DemoSystem, what: string, condition: () => Promise<T | undefined | false> | T | undefined | false): Promise<T> {
  const pipelineDied = () => {
    const exit = demo.pipeline.exit();
    if (exit !== undefined) throw new StoryError(`fleetwatch-pipeline exited (${exit}) while waiting for the ${what}.${pipelineLogTail(demo)}`);
  };
  try {
    return await waitFor(what, async () => {
      pipelineDied();
      return condition();
    }, STEP_LIMIT_MS);
  } catch (error) {
    if (error instanceof StoryError) throw error;
    throw new StoryError(`no ${what} within ${seconds(STEP_LIMIT_MS)}.${pipelineLogTail(demo)}`);
  }
}

/** Waits for the first message, from index `from` on, that `matches`. */
export function nextMessage(demo: DemoSystem, from: number, what: string, matches: (m: ReceivedMessage) => boolean): Promise<ReceivedMessage> {
  return storyWait(demo, what, () => demo.standIn.received.slice(from).find(matches));
}

