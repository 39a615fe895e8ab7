/**
 * Queue names and their key prefixes. Each queue has its own hash tag, so on Redis Cluster
 * the queues spread over nodes while each queue's keys stay in one slot, as BullMQ needs.
 */
export const QUEUES = {
  checks: "checks",
  results: "results",
} as const;

/** The check queue a host's checks go to (one queue until the check queue is sharded). */
export const checkQueueOf = (_hostName: string): string => QUEUES.checks;

/** One delivery queue per DingTalk robot: its rate limit is then the robot's own. */
export const notificationQueueName = (robot: string): string => `notify-${robot}`;

/** `fleetwatch:{checks}`: the BullMQ prefix that puts a queue under its own hash tag. */
export const queuePrefix = (queue: string): string => `fleetwatch:{${queue}}`;
