import { editDistance, nearestName } from "../util/nearest-name.js";
import { fleetSchema, hostEntrySchema } from "./fleet-schema.js";
import { hostSettingsShape } from "./host-settings-schema.js";
import { dingtalkRobotSchema, notifySchema, workerSchema } from "./notify-schema.js";
import { sshSettingsSchema } from "./ssh-settings-schema.js";
import { mountThresholdsSchema, thresholdsSchema } from "./thresholds-schema.js";

interface KeyContext {
  /** Where these keys are written, as the message says it. */
  where: string;
  keys: readonly string[];
}

const LEVEL_KEYS = ["cpu", "memory", "swap", "load", "disk", "inodes"];

/** Every object of the fleet file with its keys, in the order a misplaced key is matched. */
const CONTEXTS = {
  top: { where: "at the top level", keys: Object.keys(fleetSchema.shape) },
  ssh: { where: "under `ssh`", keys: Object.keys(sshSettingsSchema.shape) },
  thresholds: { where: "under `thresholds`", keys: Object.keys(thresholdsSchema.shape) },
  notify: { where: "under `notify`", keys: Object.keys(notifySchema.shape) },
  settings: { where: "under `defaults`, a group or a host", keys: Object.keys(hostSettingsShape) },
  host: { where: "in a host entry under `hosts`", keys: Object.keys(hostEntrySchema.shape) },
  robot: { where: "in a robot under `notify.dingtalk`", keys: Object.keys(dingtalkRobotSchema.shape) },
  route: { where: "under a robot's `route`", keys: ["groups", "minState"] },
  worker: { where: "under `worker`", keys: Object.keys(workerSchema.shape) },
  mountThresholds: { where: "under `thresholds.mounts` (per mount)", keys: Object.keys(mountThresholdsSchema.shape) },
  level: { where: "in a `{ warning, critical }` level", keys: ["warning", "critical"] },
} satisfies Record<string, KeyContext>;

type ContextName = keyof typeof CONTEXTS;

/** Which object a path points at, from the shape of the fleet file. */
function contextOf(path: readonly PropertyKey[]): ContextName | undefined {
  const [first] = path;
  const last = path[path.length - 1];
  const before = path[path.length - 2];
  if (path.length === 0) return "top";
  if (path.length === 1 && first === "defaults") return "settings";
  if (path.length === 2 && first === "groups") return "settings";
  if (path.length === 2 && first === "hosts") return "host";
  if (path.length === 1 && first === "notify") return "notify";
  if (path.length === 3 && first === "notify" && path[1] === "dingtalk") return "robot";
  if (first === "notify" && last === "route") return "route";
  if (path.length === 1 && first === "worker") return "worker";
  if (last === "ssh") return "ssh";
  if (last === "thresholds") return "thresholds";
  if (before === "mounts" && path[path.length - 3] === "thresholds") return "mountThresholds";
  if (typeof last === "string" && LEVEL_KEYS.includes(last)) return "level";
  return undefined;
}

/**
 * What to tell the user about an unknown `key` in the object at `path`: where it belongs
 * when it is valid at another level, the nearest valid name when it looks misspelt.
 */
export function unknownKeyMessage(path: readonly PropertyKey[], key: string): string {
  const here = contextOf(path);
  const valid = here ? CONTEXTS[here].keys : [];
  const near = nearestName(key, valid);
  // `group` written `groups` in a host is a typo, though `groups` is valid at the top level.
  if (near && editDistance(key, near) === 1) return `unknown key; did you mean \`${near}\`?`;
  const elsewhere = (Object.keys(CONTEXTS) as ContextName[]).find((name) => name !== here && CONTEXTS[name].keys.includes(key));
  if (elsewhere) return `\`${key}\` belongs ${CONTEXTS[elsewhere].where}, not here`;
  if (near) return `unknown key; did you mean \`${near}\`?`;
  return valid.length > 0 ? `unknown key; valid here: ${valid.join(", ")}` : "unknown key; check its spelling";
}
