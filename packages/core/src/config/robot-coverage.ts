import type { FleetConfig } from "./fleet-schema.js";

/**
 * Set-up mistakes that make alerts go nowhere: no DingTalk robot at all, a group (or the
 * hosts in no group) that no robot's route reaches, a route naming a group that does not
 * exist. Pure: the notifier logs these at start and on reload, `fleetwatch status` shows them.
 */
export function robotCoverageWarnings(config: FleetConfig): string[] {
  const robots = config.notify?.dingtalk ?? [];
  if (robots.length === 0) {
    return ["no DingTalk robot is configured: alerts are decided but sent nowhere; add a top-level `notify.dingtalk` list (see examples/fleet.yaml)"];
  }
  const warnings: string[] = [];
  const defined = new Set(Object.keys(config.groups ?? {}));
  const hearsAll = robots.some((robot) => robot.route?.groups === undefined);
  for (const robot of robots) {
    for (const group of robot.route?.groups ?? []) {
      if (!defined.has(group)) warnings.push(`robot ${robot.name} routes group "${group}", which is not defined under groups`);
    }
  }
  if (hearsAll) return warnings;
  const routed = new Set(robots.flatMap((robot) => robot.route?.groups ?? []));
  const used = new Set(config.hosts.map((host) => host.group));
  for (const group of [...used].sort()) {
    if (group === undefined) {
      const count = config.hosts.filter((host) => host.group === undefined).length;
      warnings.push(`${count} host(s) in no group reach no robot: every robot routes only named groups; add a robot without route.groups`);
    } else if (!routed.has(group)) {
      warnings.push(`group "${group}" reaches no robot: add it to a robot's route.groups, or add a robot without route.groups`);
    }
  }
  return warnings;
}
