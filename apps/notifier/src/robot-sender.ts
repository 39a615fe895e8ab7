import type { Redis } from "ioredis";
import type { Logger } from "pino";
import type { DeliveryReceipt, Lease, LaneMessage, RobotHealth, RobotSettings } from "@fleetwatch/core";
import { acquireLease, AlertStore, fenceOf, laneHead, readRobotHealthOf, recordNotification, releaseLease, resolveSecret, sendDingtalk, senderLease, senderWrite, sentInLastMinute, splitInHalf } from "@fleetwatch/core";

/** DingTalk allows 20 messages a minute per robot; keep a margin. */
export const ROBOT_MESSAGES_PER_MINUTE = 18;
/** A robot that answered 130101 is blocked for 10 minutes. */
export const ROBOT_BLOCK_MS = 600_000;

/** Retry delays of the head message through an outage: 1 s doubling to 5 minutes. */
export const deliveryBackoff = (attempts: number): number => Math.min(300_000, 1_000 * 2 ** Math.max(0, attempts - 1));

export interface SenderOptions {
  /** @defaultValue 18 */
  perMinute?: number;
  /** How long a 130101 pauses the robot. @defaultValue 10 minutes */
  pauseMs?: number;
  /** The sender lock's lease (longer than one request's 10 s timeout): another replica takes over this long after this one dies. @defaultValue 15 s */
  leaseMs?: number;
  /** How often an idle sender looks at its lane. @defaultValue 250 ms */
  pollMs?: number;
}

/**
 * One robot's lane, sent in order by one sender across all notifier replicas (a fenced lock
 * per robot): the head message is retried in place with backoff and holds the lane; 130101
 * pauses the robot; 460101 splits the head smaller; any other refusal parks it, marks the robot
 * failing and lets later messages through. What happened is written with a receipt that the
 * dispatcher turns into the alerts' delivered markers.
 */
export class RobotSender {
  private timer: NodeJS.Timeout | undefined;
  private running = false;
  private current: Promise<void> = Promise.resolve();
  private lease: Lease | undefined;
  private readonly store: AlertStore;
  private readonly keys;

  constructor(
    private readonly redis: Redis,
    private readonly robot: string,
    private readonly settings: () => RobotSettings | undefined,
    private readonly id: string,
    private readonly log: Logger,
    private readonly options: SenderOptions = {},
  ) {
    this.store = new AlertStore(redis);
    this.keys = senderLease(robot);
  }

  start(): void {
    this.running = true;
    const loop = async () => {
      let wait = this.options.pollMs ?? 250;
      try {
        wait = await this.step();
      } catch (error) {
        this.log.error({ robot: this.robot, err: (error as Error).message }, "sender step failed; retrying");
      }
      if (this.running) this.timer = setTimeout(() => (this.current = loop()), Math.max(0, wait));
    };
    this.current = loop();
  }

  /** Stops after the message in flight, and hands the lane to another replica at once. */
  async stop(): Promise<void> {
    this.running = false;
    clearTimeout(this.timer);
    await this.current;
    if (this.lease) await releaseLease(this.redis, this.lease, this.keys);
    this.lease = undefined;
  }

  /** One look at the lane; returns how long to wait before the next. */
  async step(): Promise<number> {
    const poll = this.options.pollMs ?? 250;
    const lease = await acquireLease(this.redis, this.id, this.options.leaseMs ?? 15_000, this.keys);
    this.lease = lease;
    if (!lease) return Math.max(poll, 1_000);
    const now = await this.store.now();
    const health = await readRobotHealthOf(this.redis, this.robot);
    if (health?.state === "paused" && (health.pausedUntil ?? 0) > now) return Math.min(health.pausedUntil! - now, 1_000);
    const head = await laneHead(this.redis, this.robot);
    if (!head) return poll;
    if (head.nextAttemptAt > now) return Math.min(head.nextAttemptAt - now, 1_000);
    const recent = await sentInLastMinute(this.redis, this.robot, now);
    const perMinute = this.options.perMinute ?? ROBOT_MESSAGES_PER_MINUTE;
    if (recent.length >= perMinute) return Math.max(50, recent[recent.length - perMinute]! + 60_000 - now);
    await this.send(lease, head, health, now);
    return 0;
  }

  private async send(lease: Lease, head: LaneMessage, health: RobotHealth | undefined, now: number): Promise<void> {
    const fence = fenceOf(lease);
    const log = { robot: this.robot, id: head.id, attempt: head.attempts + 1 };
    const settings = this.settings();
    const webhook = settings ? resolveSecret(settings.webhookRef) : undefined;
    const secret = settings?.secretRef ? resolveSecret(settings.secretRef) : undefined;
    if (!webhook?.ok || (secret && !secret.ok)) {
      const reason = !settings ? "the robot is no longer in the config" : !webhook?.ok ? `webhook: ${webhook?.error}` : `secret: ${secret && !secret.ok ? secret.error : ""}`;
      this.log.error({ ...log, reason }, "robot misconfigured; retrying until fixed");
      recordNotification(this.robot, "failed");
      await senderWrite(this.redis, this.robot, fence, head.id, { op: "rewrite", messages: [this.later(head, now, reason)] });
      return;
    }
    const result = await sendDingtalk(
      { webhook: webhook.value, ...(secret?.ok ? { secret: secret.value } : {}) },
      { title: head.title, markdown: head.markdown, atMobiles: head.atMobiles, isAtAll: head.isAtAll },
    );
    const after = await this.store.now();
    if (result.ok) {
      const receipt: DeliveryReceipt | undefined = head.last ? { robot: this.robot, messageId: head.messageId, outcome: "delivered", reports: head.reports, at: after } : undefined;
      const recovered = health && health.state !== "ok";
      const written = await senderWrite(this.redis, this.robot, fence, head.id, {
        op: "pop",
        sentAt: after,
        ...(receipt ? { receipt } : {}),
        ...(!health || recovered ? { health: { state: "ok", since: after } } : {}),
      });
      this.log.info({ ...log, written }, "notification delivered");
      recordNotification(this.robot, "sent");
      if (recovered) this.log.info({ robot: this.robot, was: health.state, errcode: health.errcode }, "robot delivers again");
      return;
    }
    if (result.action === "retry" || result.action === "pause") recordNotification(this.robot, "retried");
    switch (result.action) {
      case "retry": {
        this.log.warn({ ...log, reason: result.reason, retryInMs: deliveryBackoff(head.attempts + 1) }, "delivery failed; retrying the same message");
        await senderWrite(this.redis, this.robot, fence, head.id, { op: "rewrite", messages: [this.later(head, after, result.reason)] });
        return;
      }
      case "pause": {
        const pauseMs = this.options.pauseMs ?? ROBOT_BLOCK_MS;
        this.log.error({ ...log, reason: result.reason, pauseMs }, "DingTalk rate limit hit: pausing this robot, then retrying the same message");
        const paused: RobotHealth = { state: "paused", since: after, errcode: result.errcode ?? 130101, reason: result.reason, pausedUntil: after + pauseMs };
        await senderWrite(this.redis, this.robot, fence, head.id, { op: "rewrite", sentAt: after, health: paused, messages: [{ ...head, lastError: result.reason }] });
        return;
      }
      case "split": {
        const halves = splitInHalf(head.markdown);
        if (halves) {
          this.log.warn({ ...log, bytes: Buffer.byteLength(head.markdown) }, "DingTalk found the message too long (460101): splitting it and resending");
          const [a, b] = halves;
          const first: LaneMessage = { ...head, id: `${head.id}.a`, markdown: a, last: false, attempts: 0, nextAttemptAt: 0 };
          const second: LaneMessage = { ...head, id: `${head.id}.b`, markdown: b, atMobiles: [], isAtAll: false, attempts: 0, nextAttemptAt: 0 };
          await senderWrite(this.redis, this.robot, fence, head.id, { op: "replace", sentAt: after, messages: [first, second] });
          return;
        }
        break;
      }
      case "park":
        break;
    }
    const failing: RobotHealth = { state: "failing", since: health?.state === "failing" ? health.since : after, errcode: result.errcode ?? 0, reason: result.reason };
    const receipt: DeliveryReceipt = { robot: this.robot, messageId: head.messageId, outcome: "parked", reports: head.reports, at: after };
    recordNotification(this.robot, "parked");
    this.log.error({ ...log, errcode: result.errcode, reason: result.reason }, "NOTIFICATION PARKED: DingTalk refused it; fix the robot (retried every 15 minutes and on reload)");
    await senderWrite(this.redis, this.robot, fence, head.id, {
      op: "pop",
      sentAt: after,
      receipt,
      health: failing,
      parked: { id: head.id, messageId: head.messageId, title: head.title, errcode: result.errcode, reason: result.reason, at: after },
    });
  }

  private later(head: LaneMessage, now: number, reason: string): LaneMessage {
    const attempts = head.attempts + 1;
    return { ...head, attempts, nextAttemptAt: now + deliveryBackoff(attempts), lastError: reason };
  }
}
