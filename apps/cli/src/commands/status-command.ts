import type { Redis } from "ioredis";
import type { CheckResult } from "@fleetwatch/core";
import { CHECK_RESULT_VERSION, globMatcher, NAGIOS_EXIT, readLatestResult, readMembership, readRobotHealth, worstSeverity } from "@fleetwatch/core";
import type { CliIo } from "../cli-io.js";
import { EXIT } from "../cli-io.js";
import { colourEnabled } from "../render/colour.js";
import { renderResultsTable } from "../render/results-table.js";

/**
 * `fleetwatch status`: the latest result of every host in the published membership (what
 * the leading scheduler schedules), read from Redis, as the same table `check` prints. Exit code as a Nagios plugin, over those results.
 */
export async function statusCommand(redis: Redis, options: { host?: string; json: boolean }, io: CliIo): Promise<number> {
  let names = (await readMembership(redis)).members.map((h) => h.name);
  const robots = await readRobotHealth(redis);
  const failing = Object.entries(robots).filter(([, h]) => h.state !== "ok");
  for (const [robot, h] of failing) {
    io.stderr.write(`fleetwatch: DingTalk robot ${robot} is ${h.state} since ${new Date(h.since).toISOString()}${h.errcode ? ` (errcode ${h.errcode})` : ""}: ${h.reason ?? ""}\n`);
  }
  if (options.host !== undefined) names = names.filter(globMatcher(options.host));
  if (names.length === 0) {
    io.stderr.write("fleetwatch: no hosts are scheduled (is fleetwatch-scheduler running against this REDIS_URL?)\n");
    return EXIT.unknown;
  }
  const latest = await Promise.all(names.map((name) => readLatestResult(redis, name)));
  const results = latest.filter((r): r is CheckResult => r !== undefined);
  const waiting = names.filter((_, i) => latest[i] === undefined);
  if (options.json) {
    io.stdout.write(`${JSON.stringify({ version: CHECK_RESULT_VERSION, hosts: results, noResult: waiting, robots }, null, 2)}\n`);
  } else {
    if (results.length > 0) io.stdout.write(`${renderResultsTable(results, colourEnabled(io.stdout))}\n`);
    if (waiting.length > 0) io.stdout.write(`\n${waiting.length} host(s) with no recent result: ${waiting.slice(0, 20).join(", ")}${waiting.length > 20 ? ", …" : ""}\n`);
  }
  if (results.length === 0) return EXIT.unknown;
  return NAGIOS_EXIT[worstSeverity([...results.map((r) => r.state), ...(waiting.length > 0 ? (["unknown"] as const) : [])])];
}
