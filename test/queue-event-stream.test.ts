import { Queue, Worker } from "bullmq";
import { describe, expect, it } from "vitest";
import { checkQueueName, queueOptions, queuePrefix, QUEUE_EVENTS_KEPT, QUEUES } from "@fleetwatch/core";
import { waitFor } from "@fleetwatch/testkit";
import { usePrivateRedis } from "./private-redis.js";

const own = usePrivateRedis();

const eventsKey = (queue: string) => `${queuePrefix(queue)}:${queue}:events`;
const metaKey = (queue: string) => `${queuePrefix(queue)}:${queue}:meta`;

describe("queue event streams", () => {
  it("keep a short trail, not BullMQ's 10,000 entries a queue, whatever instance of the queue started last", async () => {
    const name = checkQueueName(7);
    const queue = new Queue(name, queueOptions(name, own.redis));
    const second = new Queue(name, queueOptions(name, own.redis));
    const worker = new Worker(name, async () => "done", { ...queueOptions(name, own.redis), concurrency: 50 });
    try {
      const jobs = 1_500;
      for (let i = 0; i < jobs; i += 500) {
        await queue.addBulk(Array.from({ length: 500 }, (_, j) => ({ name: "check", data: { n: i + j }, opts: { removeOnComplete: { count: 100 } } })));
      }
      await waitFor("every job to complete", async () => (await queue.getJobCounts("completed")).completed >= 100 && (await queue.count()) === 0, 60_000);
      // Each job wrote ≈ 4 events (added, waiting, active, completed); trimming is approximate (whole stream nodes).
      expect(await own.redis.hget(metaKey(name), "opts.maxLenEvents")).toBe(String(QUEUE_EVENTS_KEPT));
      const length = await own.redis.xlen(eventsKey(name));
      expect(length).toBeGreaterThan(0);
      expect(length).toBeLessThan(QUEUE_EVENTS_KEPT + 200);
    } finally {
      await worker.close();
      await second.close();
      await queue.close();
    }
  }, 90_000);

  it("is the same for the results queue", async () => {
    const queue = new Queue(QUEUES.results, queueOptions(QUEUES.results, own.redis));
    try {
      await queue.waitUntilReady();
      await waitFor("the queue's meta", async () => (await own.redis.hget(metaKey(QUEUES.results), "opts.maxLenEvents")) !== null, 10_000);
      expect(await own.redis.hget(metaKey(QUEUES.results), "opts.maxLenEvents")).toBe(String(QUEUE_EVENTS_KEPT));
    } finally {
      await queue.close();
    }
  });
});
