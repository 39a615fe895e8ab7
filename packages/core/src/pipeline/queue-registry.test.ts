import { expect, it } from "vitest";
import { checkQueueName, checkShards } from "./check-shards.js";
import { pipelineQueues } from "./queue-registry.js";

it("lists each pipeline queue once, each under a hash tag of its own", () => {
  const queues = pipelineQueues();
  expect(queues.map((q) => q.name)).toEqual([...checkShards().map(checkQueueName), "results"]);
  expect(queues[0]!.name).toBe("checks-00");
  const tags = queues.map((q) => /\{([^}]+)\}/.exec(q.prefix)?.[1]);
  expect(tags).toEqual(queues.map((q) => q.name));
  expect(new Set(tags).size).toBe(queues.length);
});
