import type { Job } from "bullmq";
import type { Redis } from "ioredis";
import type { LoadedFleet, RobotSettings } from "@fleetwatch/core";
import { AlertStore, redisNow, resolveNotifySettings } from "@fleetwatch/core";
import type { SenderOptions } from "../../apps/notifier/src/robot-sender.js";
import { Dispatcher } from "../../apps/notifier/src/dispatcher.js";
import { resultProcessor } from "../../apps/notifier/src/result-processor.js";
import { RobotSender } from "../../apps/notifier/src/robot-sender.js";
import { quietLog, syntheticResult } from "../synthetic-results.js";

export { quietLog };

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

/** A result for one host with one process check (see ../synthetic-results.ts). */
export const processResult = (host: string, slotStart: number, state: "ok" | "critical") => syntheticResult(host, slotStart, state);

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
