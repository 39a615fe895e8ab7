import { MissingToolError } from "./openssh-tools.js";
import { DEMO_USAGE, parseDemoOptions } from "./demo/demo-options.js";
import { startDemoSystem } from "./demo/demo-system.js";
import { keepRunning } from "./demo/keep-running.js";
import { tellStory } from "./demo/story.js";
import { StoryError } from "./demo/story-wait.js";
import { Supervisor } from "./demo/supervisor.js";
import { Timeline } from "./demo/timeline.js";

/**
 * `npm run demo`: fleetwatch's whole story on this machine, with nothing running beforehand.
 * It starts a private Redis, a dozen loopback SSH hosts (some broken), a DingTalk stand-in and
 * the pipeline; tells a story on a timeline (a process stops → an alert rings; it comes back →
 * RESOLVED; a silence → the next failure is muted; a one-shot `fleetwatch check`); then stops
 * and removes everything it started. `--keep` leaves it running until Ctrl-C.
 *
 * Reading order for newcomers: demo/story.ts (what happens), demo/demo-system.ts (what runs),
 * demo/demo-fleet.ts (the hosts and the fleet file).
 */
async function main(argv: string[]): Promise<number> {
  const parsed = parseDemoOptions(argv, process.env);
  if (!parsed.ok) {
    process.stderr.write(parsed.error ? `demo: ${parsed.error}\n\n${DEMO_USAGE}` : DEMO_USAGE);
    return parsed.error ? 2 : 0;
  }
  const options = parsed.options;
  const timeline = new Timeline();
  const supervisor = Supervisor.start((text) => timeline.say(text));
  supervisor.exitCleanlyOnSignals();
  try {
    timeline.plain("fleetwatch demo: the whole pipeline on this machine; every time is seconds since the start.\n");
    const demo = await startDemoSystem(options, supervisor, timeline);
    const story = await tellStory(demo, timeline);
    if (options.screenshot) {
      // Loaded only when asked for: it brings a browser driver.
      const { screenshotDashboard } = await import("./demo/screenshot.js");
      timeline.say(`Saved a picture of the dashboard: ${await screenshotDashboard(demo.dashboard, options.screenshot)}`);
    }
    if (options.keep) await keepRunning(demo, story, timeline);
    timeline.chapter("The end");
    timeline.say(`The robot received ${demo.standIn.received.length} messages in ${demo.standIn.attempts.length} requests.`);
    return 0;
  } catch (error) {
    // Stopped on Ctrl-C: the story broke off because everything is being stopped.
    if (supervisor.stoppingOn) return 1;
    if (error instanceof MissingToolError || error instanceof StoryError) {
      const [first, ...rest] = error.message.split("\n");
      timeline.say(`demo: ${first}`);
      if (rest.length > 0) timeline.detail(rest.join("\n"));
      return 1;
    }
    throw error;
  } finally {
    await supervisor.cleanup();
  }
}

main(process.argv.slice(2)).then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`demo failed: ${process.env.DEBUG ? (error.stack ?? error.message) : error.message}`);
    process.exit(1);
  },
);
