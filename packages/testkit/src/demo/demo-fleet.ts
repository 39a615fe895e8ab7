import { writeFileSync } from "node:fs";
import { join } from "node:path";
import type { DemoLab, HostRole } from "./demo-lab.js";

/** The process the story stops and starts on app-1. */
export const STORY_PROCESS = "order-service";
/** The host the story happens to. */
export const STORY_HOST = "app-1";
/** A process cache-1 requires that never runs. */
export const MISSING_PROCESS = "image-resizer";
/** The mobile number the demo's robot rings for critical alerts. */
export const ON_CALL_MOBILE = "13800000000";

export interface DemoHost {
  name: string;
  /** `shop`: the healthy service hosts of the story; `infra`: hosts already broken at the start. */
  group: "shop" | "infra";
  role: HostRole;
  /** Extra settings for this host, as YAML flow-map fields. */
  settings?: string;
  /** What is wrong with it, in words. */
  about: string;
}

const FLEET: DemoHost[] = [
  { name: "web-1", group: "shop", role: "healthy", about: "healthy" },
  { name: "web-2", group: "shop", role: "healthy", about: "healthy" },
  { name: "web-3", group: "shop", role: "healthy", about: "healthy" },
  { name: "api-1", group: "shop", role: "healthy", about: "healthy" },
  { name: "api-2", group: "shop", role: "healthy", about: "healthy" },
  { name: STORY_HOST, group: "shop", role: "healthy", settings: `processes: [${STORY_PROCESS}]`, about: `healthy; requires ${STORY_PROCESS} (the story's host)` },
  { name: "db-1", group: "infra", role: "healthy", settings: "thresholds: { disk: { warning: 1, critical: 99 } }", about: "disk above its warning level (set to 1% for the demo)" },
  { name: "cache-1", group: "infra", role: "healthy", settings: `processes: [${MISSING_PROCESS}]`, about: `required process ${MISSING_PROCESS} is not running` },
  { name: "legacy-1", group: "infra", role: "changed-host-key", about: "host key changed since it was recorded in known_hosts" },
  { name: "batch-1", group: "infra", role: "unauthorized-key", about: "our key is not authorized" },
  { name: "old-1", group: "infra", role: "nothing-listening", about: "nothing listening on its port" },
  { name: "stuck-1", group: "infra", role: "no-banner", about: "accepts TCP, never sends an SSH banner" },
];

/** The short form (CI) leaves out the hosts that only make it slower. */
const SHORT_FLEET_NAMES = ["web-1", STORY_HOST, "db-1", "cache-1", "legacy-1", "batch-1", "old-1"];

export function demoFleet(short: boolean): DemoHost[] {
  return short ? FLEET.filter((h) => SHORT_FLEET_NAMES.includes(h.name)) : FLEET;
}

/** How fast the pipeline runs in the demo: production defaults are minutes, the story has one. */
export interface DemoPace {
  interval: string;
  groupWait: string;
  groupInterval: string;
}

export const STORY_PACE: DemoPace = { interval: "2s", groupWait: "2s", groupInterval: "5s" };
export const SHORT_PACE: DemoPace = { interval: "1s", groupWait: "1s", groupInterval: "2s" };

/** The robot's webhook and secret reach the apps as environment variables, as in production. */
export const WEBHOOK_ENV = "DINGTALK_WEBHOOK";
export const SECRET_ENV = "DINGTALK_SECRET";

/** Writes the demo's fleet.yaml, commented for a reader who opens it. */
export function writeDemoFleet(dir: string, fleet: readonly DemoHost[], lab: DemoLab, pace: DemoPace, extraNotify: string[] = []): string {
  const locale = /^zh/i.test(process.env.LANG ?? "") ? "zh-CN" : "en";
  const timezone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const hostLines = fleet.map((host, i) => {
    const { address, port } = lab.endpoints[i]!;
    return `  - { name: ${host.name}, address: ${address}, port: ${port}, group: ${host.group}${host.settings ? `, ${host.settings}` : ""} }   # ${host.about}`;
  });
  const yaml = [
    "# The demo's fleet, written by `npm run demo`: loopback \"hosts\" on this machine.",
    "defaults:",
    "  ssh:",
    `    user: ${lab.user}`,
    `    key: ${lab.clientKey}`,
    `    knownHosts: ${lab.knownHosts}`,
    "    connectTimeout: 2s",
    "    handshakeTimeout: 3s",
    "    commandTimeout: 10s",
    `  interval: ${pace.interval}          # 60s by default; short so that the story takes a minute`,
    "  for: 2               # two failed checks in a row before an alert fires",
    "  # Every host here is this machine: its own cpu and load are not what the demo is about.",
    "  thresholds: { cpu: {}, load: {} }",
    "groups:",
    "  shop: {}",
    "  infra: {}",
    "hosts:",
    ...hostLines,
    "notify:",
    `  groupWait: ${pace.groupWait}         # 30s by default`,
    `  groupInterval: ${pace.groupInterval}     # 5m by default`,
    "  repeatInterval: 4h",
    "  staleAfter: 5",
    `  locale: ${locale}`,
    `  timezone: ${timezone}`,
    ...extraNotify.map((line) => `  ${line}`),
    "  dingtalk:",
    "    - name: ops",
    `      webhook: \${${WEBHOOK_ENV}}`,
    `      secret: \${${SECRET_ENV}}`,
    `      atMobiles: ["${ON_CALL_MOBILE}"]`,
    "      mentionOn: critical",
  ];
  const path = join(dir, "fleet.yaml");
  writeFileSync(path, `${yaml.join("\n")}\n`);
  return path;
}
