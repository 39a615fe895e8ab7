import type { Redis } from "ioredis";
import type { FleetHostState } from "@fleetwatch/core";
import {
  BUILTIN_DEFAULTS,
  CHECK_RESULT_VERSION,
  countStates,
  filterFleet,
  FLEET_HOST_STATES,
  FLEET_STATE_SEVERITY,
  isFleetHostState,
  NAGIOS_EXIT,
  NOTIFY_DEFAULTS,
  readFleetOverview,
  readLatestResult,
  readRobotHealth,
  redisNow,
  worstSeverity,
} from "@fleetwatch/core";
import type { CliIo } from "../cli-io.js";
import { EXIT } from "../cli-io.js";
import { colourEnabled } from "../render/colour.js";
import { renderFleetStatusTable } from "../render/fleet-status-table.js";

export interface StatusOptions {
  host?: string;
  /** Comma-separated shared states: `critical,stale`. */
  state?: string;
  group?: string;
  json: boolean;
}

/**
 * `fleetwatch status`: every host the pipeline monitors with the one state the dashboard
 * shows (alert state, silences, staleness), the age of its latest result and its figures,
 * worst first; `--state`, `--group` and `--host` narrow it. Exit code as a Nagios plugin over
 * the hosts shown (pending and silenced count as ok, stale as unknown). Robots whose
 * deliveries fail or are paused are said first, on stderr.
 */
export async function statusCommand(redis: Redis, options: StatusOptions, io: CliIo): Promise<number> {
  const states = (options.state ?? "").split(",").map((s) => s.trim()).filter(Boolean);
  const bad = states.filter((s) => !isFleetHostState(s));
  if (bad.length > 0) {
    io.stderr.write(`fleetwatch: --state ${bad.join(",")} is not a host state; use one or more of ${FLEET_HOST_STATES.join(", ")} (comma-separated)\n`);
    return EXIT.usage;
  }
  const robots = await readRobotHealth(redis);
  for (const [robot, h] of Object.entries(robots).filter(([, h]) => h.state !== "ok")) {
    io.stderr.write(`fleetwatch: DingTalk robot ${robot} is ${h.state} since ${new Date(h.since).toISOString()}${h.errcode ? ` (errcode ${h.errcode})` : ""}: ${h.reason ?? ""}\n`);
  }
  const overview = await readFleetOverview(redis, { now: await redisNow(redis), staleAfter: NOTIFY_DEFAULTS.staleAfter, defaultIntervalMs: BUILTIN_DEFAULTS.intervalMs });
  if (overview.hosts.length === 0) {
    io.stderr.write("fleetwatch: no hosts are scheduled (is fleetwatch-scheduler running against this REDIS_URL?)\n");
    return EXIT.unknown;
  }
  const hosts = filterFleet(overview.hosts, {
    states: states as FleetHostState[],
    ...(options.group ? { group: options.group } : {}),
    ...(options.host ? { name: options.host } : {}),
  });
  if (options.json) {
    const results = await Promise.all(hosts.map((h) => readLatestResult(redis, h.name)));
    const out = hosts.map((h, i) => ({ name: h.name, group: h.group, ...h.status, result: results[i] }));
    io.stdout.write(`${JSON.stringify({ version: CHECK_RESULT_VERSION, now: overview.now, counts: countStates(overview.hosts), hosts: out, robots }, null, 2)}\n`);
  } else if (hosts.length === 0) {
    io.stdout.write("no host matches\n");
  } else {
    io.stdout.write(`${renderFleetStatusTable(hosts, colourEnabled(io.stdout))}\n`);
  }
  if (hosts.length === 0) return EXIT.ok;
  return NAGIOS_EXIT[worstSeverity(hosts.map((h) => FLEET_STATE_SEVERITY[h.status.state]))];
}
