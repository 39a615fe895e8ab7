import type { DemoSystem } from "./demo-system.js";
import { commandLine } from "./fleetwatch-cli.js";
import type { StoryEnd } from "./story.js";
import type { Timeline } from "./timeline.js";

/** `--keep`: how to look around, then wait for Ctrl-C (the supervisor cleans up on it). */
export async function keepRunning(demo: DemoSystem, story: StoryEnd, t: Timeline): Promise<never> {
  t.chapter("Still running (--keep): explore, then Ctrl-C stops and removes everything");
  t.plain(`
  The pipeline keeps checking every ${demo.pace.interval}; new DingTalk messages keep appearing here.

  Dashboard:   ${demo.dashboard.url}/   (user ${demo.dashboard.user}, password ${demo.dashboard.password})
  Bull Board:  ${demo.dashboard.url}/queues
  Alerts:      ${demo.dashboard.url}/alerts   (silences can be added and expired there too)

  Use the CLI against the demo's Redis (from the repository root):

    export REDIS_URL=${demo.redisUrl}
    export ${Object.entries(demo.robotEnv).map(([k, v]) => `${k}='${v}'`).join(" ")}
    npx ${commandLine(["status"])}
    npx ${commandLine(["silence", "list"])}
    npx ${commandLine(["silence", "add", "--host", "web-*", "--check", "disk*", "--for", "30m", "--reason", "trying silences"])}
    npx ${commandLine(["silence", "expire", "ID"])}
    npx ${commandLine(["check", "-c", demo.fleetFile])}

  Break something: the story's silence on app-1 is still on, so first
    npx ${commandLine(["silence", "expire", story.silenceId])}
  then pkill -x ${demo.storyProcess.name}, and app-1 fires and rings again (the demo does not restart it).

  Fleet file:    ${demo.fleetFile}
  Pipeline log:  ${demo.pipeline.log}
  Dashboard log: ${demo.dashboard.log}
`);
  return new Promise<never>(() => {});
}
