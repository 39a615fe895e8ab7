import type { Redis } from "ioredis";
import { resolvedHostSchema } from "../config/resolved-host.js";
import { readMembership } from "../pipeline/membership.js";
import { KEYS } from "../pipeline/redis-keys.js";

/** A host of the monitored fleet, as the dashboard and `fleetwatch status` list it. */
export interface FleetMember {
  name: string;
  group?: string;
  intervalMs?: number;
}

/** The hosts the pipeline monitors, from the membership the leading scheduler published, sorted by name. */
export async function readFleetMembers(redis: Redis): Promise<FleetMember[]> {
  const { members } = await readMembership(redis);
  return members.map((h) => ({ name: h.name, intervalMs: h.intervalMs, ...(h.group === undefined ? {} : { group: h.group }) }));
}

/** One member, or undefined when the host is not in the published membership (or its record cannot be read). */
export async function readFleetMember(redis: Redis, name: string): Promise<FleetMember | undefined> {
  const text = await redis.hget(KEYS.members, name);
  if (!text) return undefined;
  let parsed;
  try {
    parsed = resolvedHostSchema.safeParse(JSON.parse(text));
  } catch {
    return undefined;
  }
  if (!parsed.success) return undefined;
  const h = parsed.data;
  return { name: h.name, intervalMs: h.intervalMs, ...(h.group === undefined ? {} : { group: h.group }) };
}
