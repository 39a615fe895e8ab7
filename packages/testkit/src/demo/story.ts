import { AlertStore, parseDuration, readLatestResult, type CheckResult } from "@fleetwatch/core";
import type { ReceivedMessage } from "../dingtalk-stand-in.js";
import { ON_CALL_MOBILE, STORY_HOST, STORY_PROCESS } from "./demo-fleet.js";
import type { DemoSystem } from "./demo-system.js";
import { runFleetwatch } from "./fleetwatch-cli.js";
import { nextMessage, seconds, StoryError, storyWait } from "./story-wait.js";
import type { Timeline } from "./timeline.js";

const STORY_CHECK = `process:${STORY_PROCESS}`;

const mentions = (message: ReceivedMessage, ...words: string[]) => words.every((w) => message.text.includes(w));

/** What a result says, in a few words: `hostkey_mismatch`, `warning (disk:/)`. */
function summary(result: CheckResult): string {
  if (result.outcome !== "ok") return result.outcome;
  const failing = result.checks.filter((c) => c.state !== "ok").map((c) => c.name);
  return failing.length > 0 ? `${result.state} (${failing.join(", ")})` : "ok";
}

/** Act 1: every host gets checked; the hosts broken from the start fire and the robot hears once. */
async function theFleetIsChecked(demo: DemoSystem, t: Timeline): Promise<void> {
  t.chapter("1. The pipeline checks every host");
  t.say(`An alert fires after 2 failed checks in a row (for: 2); the alerts of one group wait groupWait (${demo.pace.groupWait}) to go out in one message.`);
  const names = demo.fleet.map((h) => h.name);
  const results = await storyWait(demo, "first check of every host", async () => {
    const all = await Promise.all(names.map((name) => readLatestResult(demo.redis, name)));
    return all.every((r) => r !== undefined) ? (all as CheckResult[]) : undefined;
  });
  const ok = results.filter((r) => summary(r) === "ok").map((r) => r.host.name);
  t.say(`Every host checked once: ${ok.length} ok (${ok.join(", ")}).`);
  for (const result of results.filter((r) => summary(r) !== "ok")) t.say(`  ${result.host.name.padEnd(9)} ${summary(result)}`);

  const broken = demo.fleet.filter((h) => h.group === "infra").map((h) => h.name);
  await storyWait(demo, `message about each of ${broken.join(", ")}`, () =>
    broken.every((name) => demo.standIn.received.some((m) => m.text.includes(name))),
  );
  t.say(`The robot knows about all ${broken.length} broken hosts. They stay broken; nobody hears about them again until they recover (or after repeatInterval, 4h).`);
}

/** Act 2: a required process stops; the alert fires and rings the on-call phone. */
async function aProcessStops(demo: DemoSystem, t: Timeline): Promise<void> {
  t.chapter(`2. ${STORY_PROCESS} stops on ${STORY_HOST}`);
  const from = demo.standIn.received.length;
  await demo.storyProcess.stop();
  t.say(`Killed ${STORY_PROCESS}, which ${STORY_HOST} requires (processes: [${STORY_PROCESS}] in the fleet file).`);
  const firing = await nextMessage(demo, from, `message that ${STORY_HOST}'s ${STORY_PROCESS} is down`, (m) => mentions(m, STORY_HOST, STORY_PROCESS));
  if (!firing.rung.includes(ON_CALL_MOBILE)) throw new StoryError(`the firing message did not ring ${ON_CALL_MOBILE}`);
  t.say(`The alert fired and the message rang ${ON_CALL_MOBILE} (critical, and @${ON_CALL_MOBILE} is in its text).`);
  t.say(`The dashboard shows it too: ${demo.dashboard.url}/hosts/${STORY_HOST}`);
}

/** Act 3: the process comes back; one RESOLVED message. */
async function itComesBack(demo: DemoSystem, t: Timeline): Promise<void> {
  t.chapter(`3. ${STORY_PROCESS} comes back`);
  const from = demo.standIn.received.length;
  demo.storyProcess.start();
  t.say(`Started ${STORY_PROCESS} again.`);
  const resolved = await nextMessage(demo, from, `message that ${STORY_HOST} recovered`, (m) => mentions(m, STORY_HOST, STORY_PROCESS));
  if (resolved.rung.length > 0) throw new StoryError("the recovery message rang a phone");
  t.say(`RESOLVED, once; a recovery rings nobody. Messages about one group are at least groupInterval (${demo.pace.groupInterval}) apart.`);
}

/** Reads the story alert's status from the notifier's state in Redis. */
async function storyAlertStatus(demo: DemoSystem): Promise<string | undefined> {
  return (await new AlertStore(demo.redis).load(STORY_HOST))?.alerts[STORY_CHECK]?.status;
}

/** Act 4: a silence from the CLI; the next failure fires in Redis, and the robot stays quiet. */
async function aSilenceMutesTheNextFailure(demo: DemoSystem, t: Timeline): Promise<string> {
  t.chapter("4. A silence mutes the next failure");
  t.say(`Someone is about to redeploy ${STORY_PROCESS} and silences its alert first, from the CLI, against the pipeline's Redis:`);
  const added = await runFleetwatch(t, ["silence", "add", "--host", STORY_HOST, "--check", STORY_CHECK, "--for", "1h", "--reason", `redeploying ${STORY_PROCESS}`, "--author", "demo"], {
    REDIS_URL: demo.redisUrl,
  });
  const silenceId = /silence (\S+) added/.exec(added.stdout)?.[1];
  if (added.code !== 0 || !silenceId) throw new StoryError("fleetwatch silence add failed");

  const from = demo.standIn.received.length;
  await demo.storyProcess.stop();
  t.say(`Killed ${STORY_PROCESS} again.`);
  await storyWait(demo, `firing ${STORY_CHECK} alert on ${STORY_HOST}`, async () => (await storyAlertStatus(demo)) === "firing");
  t.say(`The alert is firing again (the notifier's state in Redis says so), and it is silenced. Watching the robot…`);
  // Unsilenced, the message would be out within groupWait, or groupInterval after the group's last one.
  const quietMs = parseDuration(demo.pace.groupWait)! + parseDuration(demo.pace.groupInterval)! + parseDuration(demo.pace.interval)!;
  await new Promise((r) => setTimeout(r, quietMs));
  const about = demo.standIn.received.slice(from).filter((m) => mentions(m, STORY_HOST));
  if (about.length > 0) throw new StoryError(`a message about ${STORY_HOST} arrived despite the silence`);
  t.say(`Nothing arrived in ${seconds(quietMs)}: the silenced alert fired without a message, and nobody was woken.`);

  demo.storyProcess.start();
  t.say(`${STORY_PROCESS} is back. The robot was never told of this failure, so no RESOLVED follows it either.`);
  await runFleetwatch(t, ["silence", "list"], { REDIS_URL: demo.redisUrl });
  return silenceId;
}

/** Act 5: the same fleet, checked once without the pipeline, as cron or a first set-up would. */
async function oneSweep(demo: DemoSystem, t: Timeline): Promise<void> {
  t.chapter("5. One sweep without the pipeline: fleetwatch check");
  t.say("No Redis, no queues: one check of every host, a table, and a Nagios exit code (for cron, Nagios, a first look).");
  t.say(`(The fleet file's robot settings read ${Object.keys(demo.robotEnv).join(" and ")}, exported as for the pipeline.)`);
  const { code } = await runFleetwatch(t, ["check", "-c", demo.fleetFile], {}, demo.robotEnv);
  t.say(`fleetwatch check exited with ${code} (0 ok, 1 warning, 2 critical, 3 unknown): the worst host decides.`);
  if (code !== 2) throw new StoryError(`fleetwatch check exited with ${code}, where the broken hosts make it 2 (critical)`);
}

/** What the story leaves behind for whoever explores afterwards. */
export interface StoryEnd {
  /** The silence added in act 4, still active. */
  silenceId: string;
}

/** The story, act by act, on the demo's timeline. */
export async function tellStory(demo: DemoSystem, t: Timeline): Promise<StoryEnd> {
  await theFleetIsChecked(demo, t);
  await aProcessStops(demo, t);
  await itComesBack(demo, t);
  const silenceId = await aSilenceMutesTheNextFailure(demo, t);
  await oneSweep(demo, t);
  return { silenceId };
}
