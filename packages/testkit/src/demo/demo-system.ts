import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Redis } from "ioredis";
import { CanaryProcess } from "../canary-process.js";
import { DingtalkStandIn } from "../dingtalk-stand-in.js";
import { findTool } from "../openssh-tools.js";
import { startRedis } from "../redis-server.js";
import { planDashboard, startDashboard, type RunningDashboard } from "./dashboard.js";
import type { DemoLab } from "./demo-lab.js";
import { demoFleet, SECRET_ENV, SHORT_PACE, STORY_PACE, STORY_PROCESS, WEBHOOK_ENV, writeDemoFleet, type DemoHost, type DemoPace } from "./demo-fleet.js";
import type { DemoOptions } from "./demo-options.js";
import { printMessagesAsTheyArrive } from "./message-printer.js";
import { startPipeline, type RunningPipeline } from "./pipeline-process.js";
import { startInProcessLab } from "./in-process-lab.js";
import { startSshdLab, whySshdCannotServe } from "./sshd-lab.js";
import type { Supervisor } from "./supervisor.js";
import type { Timeline } from "./timeline.js";

const ROBOT_TOKEN = "demo-robot";
const ROBOT_SECRET = "SECdemo-signing-secret";

/** Everything the demo runs, once it runs. */
export interface DemoSystem {
  dir: string;
  fleet: DemoHost[];
  fleetFile: string;
  pace: DemoPace;
  lab: DemoLab;
  redisUrl: string;
  /** The demo's own connection, to read what the pipeline stored. */
  redis: Redis;
  standIn: DingtalkStandIn;
  /** The required process of the story's host, running on this machine. */
  storyProcess: CanaryProcess;
  pipeline: RunningPipeline;
  dashboard: RunningDashboard;
  /** The robot's webhook and secret, as the fleet file's `\${…}` references read them. */
  robotEnv: Record<string, string>;
}

/** Real sshd when it can be used, in-process SSH servers otherwise (said in one line). */
async function startLab(options: DemoOptions, fleet: readonly DemoHost[], supervisor: Supervisor, timeline: Timeline): Promise<DemoLab> {
  const roles = fleet.map((h) => h.role);
  const why = options.inProcessSsh ? "asked for with --in-process-ssh" : whySshdCannotServe();
  if (!why) {
    try {
      return await startSshdLab(roles, supervisor);
    } catch (error) {
      return startLabInProcess(`sshd did not start: ${(error as Error).message}`);
    }
  }
  return startLabInProcess(why);

  async function startLabInProcess(reason: string): Promise<DemoLab> {
    timeline.say(`Not using OpenSSH sshd (${reason}): the hosts are SSH servers inside the demo, running the real probe with this machine's sh.`);
    return startInProcessLab(roles, supervisor);
  }
}

/**
 * Starts, in order: a private redis-server, the DingTalk stand-in (its messages printed as
 * they arrive), the SSH hosts, the story's required process, `fleetwatch-pipeline`
 * (scheduler, worker, notifier) over the fleet file it writes, and `fleetwatch-dashboard`.
 * Each is registered with the supervisor before the next starts, so a failure at any point
 * cleans up what exists.
 */
export async function startDemoSystem(options: DemoOptions, supervisor: Supervisor, timeline: Timeline): Promise<DemoSystem> {
  const redisServer = findTool("redis-server", "redis-server");
  const dir = mkdtempSync(join(tmpdir(), "fleetwatch-demo-"));
  supervisor.ownPath(dir);

  const redisHandle = await startRedis({ spawner: supervisor.spawn });
  supervisor.ownPath(redisHandle.dir);
  supervisor.atCleanup("stop redis-server", () => redisHandle.stop());
  const redis = new Redis(redisHandle.url, { maxRetriesPerRequest: null });
  redis.on("error", () => {});
  supervisor.atCleanup("close the demo's Redis connection", async () => redis.disconnect());
  timeline.say(`Redis: a private ${redisServer} at ${redisHandle.url}`);

  const standIn = new DingtalkStandIn({ robots: { [ROBOT_TOKEN]: ROBOT_SECRET } });
  await standIn.start();
  supervisor.atCleanup("stop the DingTalk stand-in", () => standIn.stop());
  printMessagesAsTheyArrive(standIn, timeline);
  timeline.say(`DingTalk: a stand-in robot at ${standIn.url("…")} that checks signatures and rate limits as DingTalk does`);

  const fleet = demoFleet(options.short);
  const lab = await startLab(options, fleet, supervisor, timeline);
  timeline.say(`Hosts: ${fleet.length} of them, ${lab.description}; keys and known_hosts in ${lab.dir}`);
  timeline.detail(fleet.map((host) => `${host.name.padEnd(9)} ${host.group.padEnd(6)} ${host.about}`).join("\n"));

  const storyProcess = new CanaryProcess(dir, STORY_PROCESS, supervisor.spawn);
  storyProcess.start();
  supervisor.atCleanup(`stop ${STORY_PROCESS}`, () => storyProcess.stop());

  const pace = options.short ? SHORT_PACE : STORY_PACE;
  // The dashboard's address goes into the fleet file: messages link to its pages.
  const dashboardPlan = await planDashboard();
  const robotEnv = { [WEBHOOK_ENV]: standIn.url(ROBOT_TOKEN), [SECRET_ENV]: ROBOT_SECRET };
  const dashboard = await startDashboard(
    dashboardPlan,
    (dashboardUrl) => writeDemoFleet(dir, fleet, lab, pace, [`dashboardUrl: ${dashboardUrl}`]),
    { REDIS_URL: redisHandle.url, ...robotEnv },
    dir,
    supervisor,
  );
  const fleetFile = dashboard.fleetFile;
  // HTTP_PORT=0: each app serves /healthz and /metrics on a free port (the defaults may be taken by a fleetwatch already running here).
  const pipeline = startPipeline(fleetFile, { REDIS_URL: redisHandle.url, HTTP_PORT: "0", ...robotEnv }, dir, supervisor);
  timeline.say(`Pipeline: fleetwatch-pipeline --config ${fleetFile} (scheduler, worker, notifier; logs in ${pipeline.log})`);
  timeline.say(`Dashboard: ${dashboard.url}/  user ${dashboard.user}, password ${dashboard.password}  (Bull Board at /queues)`);

  return { dir, fleet, fleetFile, pace, lab, redisUrl: redisHandle.url, redis, standIn, storyProcess, pipeline, dashboard, robotEnv };
}
