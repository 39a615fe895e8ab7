import { z } from "zod";
import { globMatcher } from "../util/glob.js";

/**
 * Mutes alerts from `startsAt` until `endsAt`: host alerts whose host and check match the
 * patterns, or (scope `pipeline`) the one pipeline alert named exactly `check`.
 */
export const silenceSchema = z.object({
  id: z.string(),
  scope: z.enum(["host", "pipeline"]).default("host"),
  host: z.string(),
  check: z.string().min(1),
  startsAt: z.number(),
  endsAt: z.number(),
  author: z.string(),
  reason: z.string(),
  createdAt: z.number(),
});
export type Silence = z.infer<typeof silenceSchema>;

export const isSilenceActive = (silence: Silence, now: number): boolean => silence.startsAt <= now && now < silence.endsAt;

/** Whether a host alert is muted. Pipeline silences never match a host. */
export function silences(active: readonly Silence[], host: string, check: string, now: number): boolean {
  return active.some((s) => (s.scope ?? "host") === "host" && isSilenceActive(s, now) && globMatcher(s.host)(host) && globMatcher(s.check)(check));
}

/** Whether a pipeline alert is muted: only by a pipeline silence of its own name, never by a pattern. */
export function silencesPipeline(active: readonly Silence[], name: string, now: number): boolean {
  return active.some((s) => s.scope === "pipeline" && isSilenceActive(s, now) && s.check === name);
}
