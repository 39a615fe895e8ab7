import type { Job } from "bullmq";
import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { LoadedFleet, ResultJob, RobotSettings } from "@fleetwatch/core";
import { AlertStore, redisNow, resolveNotifySettings } from "@fleetwatch/core";
import type { SenderOptions } from "../../apps/notifier/src/robot-sender.js";
import { Dispatcher } from "../../apps/notifier/src/dispatcher.js";
import { resultProcessor } from "../../apps/notifier/src/result-processor.js";
import { RobotSender } from "../../apps/notifier/src/robot-sender.js";

const say = (level: string) => (o: unknown, m: string) => console.log(level, m, JSON.stringify(o));
/** Silent unless FW_TEST_LOG is set. */
export const quietLog = (process.env.FW_TEST_LOG
  ? { info: say("I"), debug() {}, warn: say("W"), error: say("E"), fatal: say("F") }
  : { info() {}, debug() {}, warn() {}, error() {}, fatal() {} }) as unknown as Logger;

/** A fleet with one robot "ops" whose webhook and secret come from these environment variables. */
export const robotFleet = (webhookVar: string, secretVar: string, timers: { groupWait?: number; groupInterval?: number } = {}) =>
  ({
    file: "fleet.yaml",
    version: "1",
    hosts: [],
    config: {
      notify: {
        groupWait: timers.groupWait ?? 0,
        groupInterval: timers.groupInterval ?? 300,
        repeatInterval: 3_600_000,
        locale: "en",
        dingtalk: [{ name: "ops", webhook: `\${${webhookVar}}`, secret: `\${${secretVar}}` }],
      },
    },
  }) as unknown as LoadedFleet;

/** A result of the current payload version for one host with one process check. */
export const processResult = (host: string, slotStart: number, state: "ok" | "critical"): Extract<ResultJob, { kind: "result" }> => ({
  kind: "result",
  slot: 0,
  slotStart,
  intervalMs: 60_000,
  for: 1,
  result: {
    version: 1,
    host: { name: host, address: "127.0.0.1", port: 22 },
    outcome: "ok",
    state,
    metrics: null,
    checks: [{ name: "process:app", state, message: `app ${state}` }],
    startedAt: slotStart,
    finishedAt: slotStart,
    durationMs: 1,
    timings: { connectMs: 0, handshakeMs: 0, commandMs: 0 },
    retried: false,
  },
});

export interface InProcessNotifier {
  store: AlertStore;
  reload(next: LoadedFleet): void;
  feed(host: string, state: "ok" | "critical"): Promise<void>;
  stop(): Promise<void>;
}

/**
 * The notifier's own pieces (result processor, dispatcher ticking, robot senders) in this
 * process against real Redis: faster to drive than the app process and just as real where
 * the subject is delivery.
 */
export function notifierInProcess(redis: Redis, id: string, config: LoadedFleet, senderOptions: SenderOptions = {}): InProcessNotifier {
  const store = new AlertStore(redis);
  const dispatcher = new Dispatcher(redis, store, config, id, quietLog);
  let robot: RobotSettings = resolveNotifySettings(config.config).robots[0]!;
  const apply = resultProcessor(store, () => 3, quietLog);
  const sender = new RobotSender(redis, "ops", () => robot, `${id}-sender`, quietLog, { pollMs: 50, leaseMs: 5_000, ...senderOptions });
  sender.start();
  let ticking = true;
  const loop = (async () => {
    while (ticking) {
      await dispatcher.tick();
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    store,
    reload(next) {
      robot = resolveNotifySettings(next.config).robots[0]!;
      dispatcher.useConfig(next);
    },
    async feed(host, state) {
      await apply({ data: processResult(host, await redisNow(redis), state) } as Job);
    },
    async stop() {
      ticking = false;
      await loop;
      await dispatcher.stop();
      await sender.stop();
    },
  };
}
