import type { Redis } from "ioredis";
import { readLatestGroups } from "../history/history-reader.js";
import { KEYS } from "../pipeline/redis-keys.js";

/** A host of the monitored fleet, as the dashboard and `fleetwatch status` list it. */
export interface FleetMember {
  name: string;
  group?: string;
  intervalMs?: number;
}

/** The hosts the pipeline monitors, sorted by name. */
export async function readFleetMembers(redis: Redis): Promise<FleetMember[]> {
  const names = (await redis.smembers(KEYS.scheduledHosts)).sort();
  const groups = await readLatestGroups(redis, names);
  return names.map((name) => {
    const group = groups.get(name);
    return group === undefined ? { name } : { name, group };
  });
}

/** One member, or undefined when the host is not in the fleet. */
export async function readFleetMember(redis: Redis, name: string): Promise<FleetMember | undefined> {
  if ((await redis.sismember(KEYS.scheduledHosts, name)) !== 1) return undefined;
  const group = (await readLatestGroups(redis, [name])).get(name);
  return group === undefined ? { name } : { name, group };
}
