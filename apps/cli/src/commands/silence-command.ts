import { randomBytes } from "node:crypto";
import { userInfo } from "node:os";
import type { Redis } from "ioredis";
import type { Silence } from "@fleetwatch/core";
import { AlertStore, formatDuration, isSilenceActive, parseDuration, redisNow } from "@fleetwatch/core";
import type { CliIo } from "../cli-io.js";
import { EXIT } from "../cli-io.js";

export interface SilenceAddOptions {
  host?: string;
  check?: string;
  /** The exact name of a pipeline alert (instead of host and check patterns). */
  pipeline?: string;
  duration: string;
  reason: string;
  author?: string;
}

/** `fleetwatch silence add`: mutes matching alerts until it expires. */
export async function silenceAdd(redis: Redis, options: SilenceAddOptions, io: CliIo): Promise<number> {
  const ms = parseDuration(options.duration);
  if (ms === undefined || ms <= 0) {
    io.stderr.write(`fleetwatch: --for ${options.duration} is not a duration; write it like 30m, 2h or 1d\n`);
    return EXIT.usage;
  }
  if (!options.reason.trim()) {
    io.stderr.write("fleetwatch: --reason is required: say why, for whoever sees the silence later\n");
    return EXIT.usage;
  }
  const now = await redisNow(redis);
  const silence: Silence = {
    id: randomBytes(4).toString("hex"),
    ...(options.pipeline ? { scope: "pipeline" as const, host: "", check: options.pipeline } : { scope: "host" as const, host: options.host ?? "*", check: options.check ?? "*" }),
    startsAt: now,
    endsAt: now + ms,
    author: options.author ?? process.env.USER ?? userInfo().username,
    reason: options.reason,
    createdAt: now,
  };
  await new AlertStore(redis).saveSilence(silence);
  const what = silence.scope === "pipeline" ? `pipeline alert ${silence.check}` : `host ${silence.host}, check ${silence.check}`;
  io.stdout.write(`silence ${silence.id} added: ${what}, for ${formatDuration(ms)} (until ${new Date(silence.endsAt).toISOString()})\n`);
  return EXIT.ok;
}

/** `fleetwatch silence list`: active silences, then those that ended in the last day. */
export async function silenceList(redis: Redis, io: CliIo): Promise<number> {
  const now = await redisNow(redis);
  const all = (await new AlertStore(redis).silences()).sort((a, b) => a.endsAt - b.endsAt);
  if (all.length === 0) {
    io.stdout.write("no silences\n");
    return EXIT.ok;
  }
  io.stdout.write("ID        STATE    HOST            CHECK           ENDS                      AUTHOR    REASON\n");
  for (const s of all) {
    const state = isSilenceActive(s, now) ? "active" : now < s.startsAt ? "pending" : "expired";
    io.stdout.write(`${s.id.padEnd(9)} ${state.padEnd(8)} ${(s.scope === "pipeline" ? "(pipeline)" : s.host).padEnd(15)} ${s.check.padEnd(15)} ${new Date(s.endsAt).toISOString().padEnd(25)} ${s.author.padEnd(9)} ${s.reason}\n`);
  }
  return EXIT.ok;
}

/** `fleetwatch silence expire ID`: ends a silence now; matching alerts that still fire are sent. */
export async function silenceExpire(redis: Redis, id: string, io: CliIo): Promise<number> {
  const store = new AlertStore(redis);
  const silence = (await store.silences()).find((s) => s.id === id);
  if (!silence) {
    io.stderr.write(`fleetwatch: no silence with id ${id} (see: fleetwatch silence list)\n`);
    return EXIT.invalid;
  }
  const now = await redisNow(redis);
  await store.saveSilence({ ...silence, endsAt: Math.min(silence.endsAt, now) });
  io.stdout.write(`silence ${id} expired\n`);
  return EXIT.ok;
}
