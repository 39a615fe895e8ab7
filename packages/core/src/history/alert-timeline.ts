import type { Redis } from "ioredis";
import { z } from "zod";
import { HOST_EXAMPLES } from "../pipeline/key-examples.js";
import { KEYS } from "../pipeline/redis-keys.js";
import { defineKeyGroup } from "../pipeline/redis-script.js";
import { TIMELINE_EVENTS_FLEET, TIMELINE_EVENTS_PER_HOST, TIMELINE_KEEP_MS, TIMELINE_MESSAGE_CHARS } from "./history-limits.js";

export const TIMELINE_KINDS = ["fired", "escalated", "resolved", "silenced", "notified", "parked"] as const;
export type TimelineKind = (typeof TIMELINE_KINDS)[number];

/** One thing that happened to an alert, as the dashboard's timeline shows it. */
export interface TimelineEvent {
  at: number;
  host: string;
  check: string;
  kind: TimelineKind;
  severity?: "warning" | "critical";
  /** The robot told (notified, parked). */
  robot?: string;
  /** Why, in words: the alert's message, a silence's reason, DingTalk's errmsg. */
  message?: string;
}

/** Stored with short keys (`t h c k s r m`), one JSON object per list element. */
const storedSchema = z.object({
  t: z.number(),
  h: z.string(),
  c: z.string(),
  k: z.enum(TIMELINE_KINDS),
  s: z.enum(["warning", "critical"]).optional(),
  r: z.string().optional(),
  m: z.string().optional(),
});

export function encodeTimelineEvent(e: TimelineEvent): string {
  const stored: z.infer<typeof storedSchema> = { t: e.at, h: e.host, c: e.check, k: e.kind };
  if (e.severity) stored.s = e.severity;
  if (e.robot) stored.r = e.robot;
  if (e.message) stored.m = e.message.length > TIMELINE_MESSAGE_CHARS ? `${e.message.slice(0, TIMELINE_MESSAGE_CHARS - 1)}…` : e.message;
  return JSON.stringify(stored);
}

/** The event, or undefined for an element that cannot be read (skipped, never thrown). */
export function decodeTimelineEvent(text: string): TimelineEvent | undefined {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    return undefined;
  }
  const parsed = storedSchema.safeParse(raw);
  if (!parsed.success) return undefined;
  const s = parsed.data;
  const e: TimelineEvent = { at: s.t, host: s.h, check: s.c, kind: s.k };
  if (s.s) e.severity = s.s;
  if (s.r) e.robot = s.r;
  if (s.m) e.message = s.m;
  return e;
}

/**
 * Appends events to their hosts' timelines and to the fleet's (by default the same events;
 * a silence over many hosts passes one summary event instead), trimmed to size, in one
 * MULTI: every key is under the `{alerts}` tag. A host's timeline expires
 * `TIMELINE_KEEP_MS` after its last event.
 */
const TIMELINE_APPEND = defineKeyGroup({
  name: "timeline append (MULTI)",
  keys: (hosts: readonly string[]) => [...hosts.map((h) => KEYS.hostTimeline(h)), KEYS.fleetTimeline],
  examples: [[HOST_EXAMPLES.map(([h]) => h)]],
});

export const TIMELINE_KEY_GROUPS = [TIMELINE_APPEND] as const;

export async function appendTimeline(redis: Redis, hostEvents: readonly TimelineEvent[], fleetEvents: readonly TimelineEvent[] = hostEvents): Promise<void> {
  if (hostEvents.length === 0 && fleetEvents.length === 0) return;
  const multi = redis.multi();
  const keys = TIMELINE_APPEND.keys(hostEvents.map((e) => e.host));
  for (const [i, e] of hostEvents.entries()) {
    const key = keys[i]!;
    multi.lpush(key, encodeTimelineEvent(e)).ltrim(key, 0, TIMELINE_EVENTS_PER_HOST - 1).pexpire(key, TIMELINE_KEEP_MS);
  }
  if (fleetEvents.length > 0) {
    multi.lpush(KEYS.fleetTimeline, ...fleetEvents.map(encodeTimelineEvent));
    multi.ltrim(KEYS.fleetTimeline, 0, TIMELINE_EVENTS_FLEET - 1);
  }
  await multi.exec();
}

const decodeAll = (texts: readonly string[]) => texts.flatMap((t) => decodeTimelineEvent(t) ?? []);

/** A host's timeline, newest first. */
export async function readHostTimeline(redis: Redis, host: string, count = TIMELINE_EVENTS_PER_HOST): Promise<TimelineEvent[]> {
  return decodeAll(await redis.lrange(KEYS.hostTimeline(host), 0, count - 1));
}

/** The fleet's timeline, newest first. */
export async function readFleetTimeline(redis: Redis, count = 200): Promise<TimelineEvent[]> {
  return decodeAll(await redis.lrange(KEYS.fleetTimeline, 0, count - 1));
}

/** Where the notifier records what happened to alerts, and forgets a removed host's history. */
export interface HistoryRecorder {
  append(events: readonly TimelineEvent[]): Promise<void>;
  expire(host: string): Promise<void>;
}
