import { z } from "zod";
import { globMatcher } from "../util/glob.js";

/** Mutes alerts whose host and check match, from `startsAt` until `endsAt`. */
export const silenceSchema = z.object({
  id: z.string(),
  host: z.string().min(1),
  check: z.string().min(1),
  startsAt: z.number(),
  endsAt: z.number(),
  author: z.string(),
  reason: z.string(),
  createdAt: z.number(),
});
export type Silence = z.infer<typeof silenceSchema>;

export const isSilenceActive = (silence: Silence, now: number): boolean => silence.startsAt <= now && now < silence.endsAt;

export function silences(active: readonly Silence[], host: string, check: string, now: number): boolean {
  return active.some((s) => isSilenceActive(s, now) && globMatcher(s.host)(host) && globMatcher(s.check)(check));
}
