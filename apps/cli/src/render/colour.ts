import type { Severity } from "@fleetwatch/core";

const CODES: Record<Severity, string> = { ok: "32", warning: "33", critical: "31", unknown: "35" };

/** ANSI colour for a state, only on a terminal and never with NO_COLOR set. */
export function paintState(text: string, state: Severity, enabled: boolean): string {
  return enabled ? `\u001b[${CODES[state]}m${text}\u001b[0m` : text;
}

export const colourEnabled = (stream: NodeJS.WriteStream): boolean => Boolean(stream.isTTY) && !("NO_COLOR" in process.env);
