import { createBullBoard } from "@bull-board/api";
import { BullMQAdapter } from "@bull-board/api/bullMQAdapter";
import { FastifyAdapter } from "@bull-board/fastify";
import type { FastifyInstance } from "fastify";
import { requireSameOrigin } from "@fleetwatch/core";
import type { QueueList } from "../../plugins/app/queue-list.js";
import { isDeliveryQueue } from "../../plugins/app/queue-list.js";

export const QUEUES_PATH = "/queues";

export interface QueueRoutesOptions {
  queues: QueueList;
  /** Allow Bull Board's actions (retry, remove, clean…) on the check and result queues. Delivery queues stay read-only. */
  admin: boolean;
}

/**
 * `/queues`: Bull Board over every queue fleetwatch runs, behind the same login as every page
 * (the login hook of the HTTP module covers its pages, API and assets), its actions
 * same-origin only. The list of queues is read again on each load of the board's page.
 */
export default async function queueRoutes(fastify: FastifyInstance, options: QueueRoutesOptions): Promise<void> {
  const adapters = () => options.queues.current().map((q) => new BullMQAdapter(q, { readOnlyMode: !options.admin || isDeliveryQueue(q.name) }));
  const serverAdapter = new FastifyAdapter();
  serverAdapter.setBasePath(QUEUES_PATH);
  const board = createBullBoard({ queues: adapters(), serverAdapter, options: { uiConfig: { boardTitle: "fleetwatch" } } });
  let listed = options.queues.names().join("\n");

  fastify.addHook("onRequest", requireSameOrigin);
  fastify.addHook("onRequest", async (request) => {
    const path = request.url.split("?")[0]!;
    if (path !== QUEUES_PATH && path !== `${QUEUES_PATH}/`) return;
    const names = options.queues.names().join("\n");
    if (names !== listed) {
      listed = names;
      board.replaceQueues(adapters());
    }
  });
  await fastify.register(serverAdapter.registerPlugin(), { prefix: QUEUES_PATH });
}
