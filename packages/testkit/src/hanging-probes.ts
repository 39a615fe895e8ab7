import { readdirSync, readFileSync } from "node:fs";
import { hangSeconds } from "./host-behaviours.js";

/** How many probes are hanging right now on the `hang` hosts of a lab: a check of one is in flight. */
export function hangingProbes(labId: number): number {
  const marker = `sleep\u0000${hangSeconds(labId)}`;
  let count = 0;
  for (const pid of readdirSync("/proc")) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      if (readFileSync(`/proc/${pid}/cmdline`, "utf8").includes(marker)) count += 1;
    } catch {}
  }
  return count;
}
