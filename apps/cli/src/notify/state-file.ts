import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import { homedir, userInfo } from "node:os";
import { dirname, join } from "node:path";
import { z } from "zod";
import type { GroupTimer } from "@fleetwatch/core";
import { storedHostAlertsSchema } from "@fleetwatch/core";

/** Alert state of `fleetwatch check --notify` between cron runs. */
export const stateFileSchema = z.object({
  version: z.literal(1),
  /** Counts runs: the "slot" results are applied in. */
  run: z.number().int(),
  hosts: z.record(z.string(), storedHostAlertsSchema),
  timers: z.record(z.string(), z.object({ firstChangeAt: z.number().optional(), lastFlushAt: z.number().optional() })),
});
export type StateFile = z.infer<typeof stateFileSchema> & { timers: Record<string, GroupTimer> };

export function defaultStatePath(): string {
  return userInfo().uid === 0 ? "/var/lib/fleetwatch/check-state.json" : join(homedir(), ".local/state/fleetwatch/check-state.json");
}

export type StateRead = { ok: true; state: StateFile } | { ok: false; reason: string };

export function readStateFile(path: string): StateRead {
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === "ENOENT") return { ok: true, state: { version: 1, run: 0, hosts: {}, timers: {} } };
    return { ok: false, reason: `cannot read state file ${path} (${(cause as NodeJS.ErrnoException).code})` };
  }
  try {
    const parsed = stateFileSchema.safeParse(JSON.parse(text));
    if (parsed.success) return { ok: true, state: parsed.data };
  } catch {}
  return { ok: false, reason: `state file ${path} is damaged; move it away to start afresh (alerts will be sent again)` };
}

/** Written to a temporary file and renamed, so a crash never leaves half a file. */
export function writeStateFile(path: string, state: StateFile): void {
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.${process.pid}.tmp`;
  writeFileSync(tmp, `${JSON.stringify(state)}\n`, { mode: 0o600 });
  renameSync(tmp, path);
}
