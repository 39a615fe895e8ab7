import type { FastifyInstance } from "fastify";
import type { Redis } from "ioredis";
import { dashboardContext } from "./plugins/app/dashboard-context.js";
import type { DashboardSettings } from "./plugins/app/dashboard-settings.js";
import { FleetReader } from "./plugins/app/fleet-reader.js";
import { formBody } from "./plugins/app/form-body.js";
import type { QueueList } from "./plugins/app/queue-list.js";
import alertRoutes from "./routes/alerts/index.js";
import apiRoutes from "./routes/api/index.js";
import fleetRoutes from "./routes/fleet/index.js";
import hostRoutes from "./routes/hosts/index.js";
import queueRoutes from "./routes/queues/index.js";

export interface DashboardOptions {
  redis: Redis;
  settings: () => DashboardSettings;
  queues: QueueList;
  /** Bull Board may act on the check and result queues. @defaultValue false */
  queueAdmin?: boolean;
}

/**
 * The dashboard as routes for the HTTP module (which adds the login, /healthz, /readyz and
 * /metrics): app plugins first (shared readers as the `dash` decorator, form parsing), then
 * the pages and API laid out by URL. It only reads Redis, and writes silences.
 */
export function dashboardRoutes(options: DashboardOptions): (fastify: FastifyInstance) => Promise<void> {
  return async (fastify) => {
    await fastify.register(dashboardContext, { fleet: new FleetReader(options.redis, options.settings), settings: options.settings });
    await fastify.register(formBody);
    await fastify.register(fleetRoutes);
    await fastify.register(hostRoutes);
    await fastify.register(alertRoutes);
    await fastify.register(apiRoutes);
    await fastify.register(queueRoutes, { queues: options.queues, admin: options.queueAdmin ?? false });
  };
}
