import { createHash } from "node:crypto";

/** A stable offset within the interval for each host: checks spread out, never all at second zero. */
export function hostOffset(host: string, intervalMs: number): number {
  const hash = createHash("sha1").update(host).digest().readUInt32BE(0);
  return hash % intervalMs;
}

export interface Slot {
  index: number;
  start: number;
}

/** The slot `now` falls in, for a host with this interval and offset. */
export function slotAt(now: number, intervalMs: number, offsetMs: number): Slot {
  const index = Math.floor((now - offsetMs) / intervalMs);
  return { index, start: index * intervalMs + offsetMs };
}

/**
 * BullMQ job id of a host's check in a slot: `web-1.1740740712345`, the encoded host name
 * and the slot's start (epoch ms), which unlike a slot index never repeats when the interval changes.
 */
export const checkJobId = (encodedHost: string, slotStart: number): string => `${encodedHost}.${slotStart}`;
