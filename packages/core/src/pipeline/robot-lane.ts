import type { Redis } from "ioredis";
import { z } from "zod";
import { ALERT_SEVERITIES } from "../alerting/alert-state.js";
import { ROBOT_EXAMPLES } from "./key-examples.js";
import { KEYS } from "./redis-keys.js";
import { defineScript, runScript } from "./redis-script.js";

export const reportSchema = z.object({
  pipeline: z.boolean().optional(),
  host: z.string(),
  check: z.string(),
  epoch: z.number().int(),
  status: z.enum(["firing", "resolved"]),
  severity: z.enum(ALERT_SEVERITIES),
});

/** One message in a robot's lane: one DingTalk request. */
export const laneMessageSchema = z.object({
  /** The decided message's id, with `.N` for its N-th part (and `.a`/`.b` once split after a 460101). */
  id: z.string(),
  /** The decided message's id, shared by its parts. */
  messageId: z.string(),
  robot: z.string(),
  title: z.string(),
  markdown: z.string(),
  atMobiles: z.array(z.string()),
  isAtAll: z.boolean(),
  /** What the decided message reports: the delivered markers once its last part is delivered. */
  reports: z.array(reportSchema),
  last: z.boolean(),
  createdAt: z.number(),
  attempts: z.number().int().default(0),
  nextAttemptAt: z.number().default(0),
  lastError: z.string().optional(),
});
export type LaneMessage = z.infer<typeof laneMessageSchema>;

/** How a robot is doing, as the sender last found it: shown in logs, `fleetwatch status --json` and the dashboard. */
export const robotHealthSchema = z.object({
  state: z.enum(["ok", "paused", "failing"]),
  since: z.number(),
  errcode: z.number().optional(),
  reason: z.string().optional(),
  pausedUntil: z.number().optional(),
  /** Messages waiting in the lane. */
  queued: z.number().int().optional(),
});
export type RobotHealth = z.infer<typeof robotHealthSchema>;

/**
 * Appends decided messages to a robot's lane, fenced by the dispatcher's lock: each id enters
 * once (a decision made again after a crash is refused), and queued messages the new ones
 * supersede are dropped, unless one is at the head (being sent).
 * KEYS: lane, messages, seen, dispatcher lock. ARGV: fence ('' unfenced), now, message id, nSupersede, ids…, then (part id, json) pairs.
 */
const ENQUEUE = defineScript({
  name: "lane enqueue",
  keys: (robot: string) => [KEYS.lane(robot), KEYS.laneMessages(robot), KEYS.laneSeen(robot), KEYS.dispatcherLock],
  examples: ROBOT_EXAMPLES,
  lua: `
if ARGV[1] ~= '' and redis.call('GET', KEYS[4]) ~= ARGV[1] then return -1 end
local now = tonumber(ARGV[2])
if redis.call('ZSCORE', KEYS[3], ARGV[3]) then return 0 end
redis.call('ZADD', KEYS[3], now, ARGV[3])
local nsup = tonumber(ARGV[4])
local i = 5
local head = redis.call('LINDEX', KEYS[1], 0)
for _ = 1, nsup do
  if ARGV[i] ~= head then
    redis.call('LREM', KEYS[1], 0, ARGV[i])
    redis.call('HDEL', KEYS[2], ARGV[i])
  end
  i = i + 1
end
local added = 0
while i < #ARGV do
  redis.call('HSET', KEYS[2], ARGV[i], ARGV[i + 1])
  redis.call('RPUSH', KEYS[1], ARGV[i])
  added = added + 1
  i = i + 2
end
redis.call('ZREMRANGEBYSCORE', KEYS[3], '-inf', now - 7 * 86400000)
return added
`,
});

/** `messages` are the parts of one decided message (one `messageId`). */
export async function enqueueLane(redis: Redis, robot: string, messages: readonly LaneMessage[], supersede: readonly string[], fence: string, now: number): Promise<number | "fenced"> {
  const added = Number(
    await runScript(redis, ENQUEUE, [robot], [
      fence,
      now,
      messages[0]?.messageId ?? "",
      supersede.length,
      ...supersede,
      ...messages.flatMap((m) => [m.id, JSON.stringify(m)]),
    ]),
  );
  return added < 0 ? "fenced" : added;
}

/** The lane in order (messages that cannot be read are left out). */
export async function readLane(redis: Redis, robot: string): Promise<LaneMessage[]> {
  const ids = await redis.lrange(KEYS.lane(robot), 0, -1);
  if (ids.length === 0) return [];
  const texts = await redis.hmget(KEYS.laneMessages(robot), ...ids);
  return texts.flatMap((t) => {
    if (!t) return [];
    try {
      const parsed = laneMessageSchema.safeParse(JSON.parse(t));
      return parsed.success ? [parsed.data] : [];
    } catch {
      return [];
    }
  });
}

/** Drops an unreadable head message. */
const DROP_HEAD = defineScript({
  name: "lane drop head",
  keys: (robot: string) => [KEYS.lane(robot), KEYS.laneMessages(robot)],
  examples: ROBOT_EXAMPLES,
  lua: `if redis.call('LINDEX', KEYS[1], 0) == ARGV[1] then redis.call('LPOP', KEYS[1]) end redis.call('HDEL', KEYS[2], ARGV[1]) return 1`,
});

/** The head of the lane: the message being sent, or undefined when the lane is empty (an unreadable head is dropped). */
export async function laneHead(redis: Redis, robot: string): Promise<LaneMessage | undefined> {
  const id = await redis.lindex(KEYS.lane(robot), 0);
  if (!id) return undefined;
  const text = await redis.hget(KEYS.laneMessages(robot), id);
  let parsed;
  try {
    parsed = text ? laneMessageSchema.safeParse(JSON.parse(text)) : undefined;
  } catch {
    parsed = undefined;
  }
  if (parsed?.success) return parsed.data;
  await runScript(redis, DROP_HEAD, [robot], [id]);
  return laneHead(redis, robot);
}

/**
 * The sender's writes, fenced by its lock: what happened to the head message. `pop` takes it
 * off the lane (delivered or parked); `replace` puts these messages in its place (split) or
 * rewrites it (another attempt later). Receipts, parked entries and health go in the same script.
 * KEYS: lane, messages, sender lock, sent, receipts, health, parked.
 */
const SENDER_WRITE = defineScript({
  name: "sender write",
  keys: (robot: string) => [KEYS.lane(robot), KEYS.laneMessages(robot), KEYS.senderLock(robot), KEYS.robotSent(robot), KEYS.receipts, KEYS.robotHealth, KEYS.parked(robot)],
  examples: ROBOT_EXAMPLES,
  lua: `
if redis.call('GET', KEYS[3]) ~= ARGV[1] then return -1 end
local id = ARGV[2]
local op = ARGV[3]
if redis.call('LINDEX', KEYS[1], 0) ~= id then return 0 end
if op == 'pop' or op == 'replace' then
  redis.call('LPOP', KEYS[1])
  redis.call('HDEL', KEYS[2], id)
end
if op == 'replace' or op == 'rewrite' then
  local n = tonumber(ARGV[8])
  for j = n, 1, -1 do
    local mid = ARGV[8 + 2 * j - 1]
    redis.call('HSET', KEYS[2], mid, ARGV[8 + 2 * j])
    if op == 'replace' then redis.call('LPUSH', KEYS[1], mid) end
  end
end
if ARGV[4] ~= '' then
  redis.call('ZADD', KEYS[4], ARGV[4], id)
  redis.call('ZREMRANGEBYSCORE', KEYS[4], '-inf', tonumber(ARGV[4]) - 120000)
end
if ARGV[5] ~= '' then redis.call('RPUSH', KEYS[5], ARGV[5]) end
if ARGV[6] ~= '' then redis.call('HSET', KEYS[6], ARGV[9 + 2 * tonumber(ARGV[8])], ARGV[6]) end
if ARGV[7] ~= '' then
  redis.call('RPUSH', KEYS[7], ARGV[7])
  redis.call('LTRIM', KEYS[7], -100, -1)
end
return 1
`,
});

export interface SenderWrite {
  op: "pop" | "replace" | "rewrite" | "none";
  /** A send happened at this time (for the rate limit). */
  sentAt?: number;
  receipt?: unknown;
  health?: RobotHealth;
  parked?: unknown;
  messages?: LaneMessage[];
}

export async function senderWrite(redis: Redis, robot: string, fence: string, headId: string, write: SenderWrite): Promise<"written" | "not-head" | "fenced"> {
  const messages = write.messages ?? [];
  const result = Number(
    await runScript(redis, SENDER_WRITE, [robot], [
      fence,
      headId,
      write.op,
      write.sentAt === undefined ? "" : write.sentAt,
      write.receipt === undefined ? "" : JSON.stringify(write.receipt),
      write.health === undefined ? "" : JSON.stringify(write.health),
      write.parked === undefined ? "" : JSON.stringify(write.parked),
      messages.length,
      ...messages.flatMap((m) => [m.id, JSON.stringify(m)]),
      robot,
    ]),
  );
  return result < 0 ? "fenced" : result === 0 ? "not-head" : "written";
}

/** Sends in the last minute, for DingTalk's 20 a minute. */
export async function sentInLastMinute(redis: Redis, robot: string, now: number): Promise<number[]> {
  return (await redis.zrangebyscore(KEYS.robotSent(robot), now - 60_000, "+inf", "WITHSCORES")).filter((_, i) => i % 2 === 1).map(Number);
}

/** Every robot's health, as the senders last recorded it. */
export async function readRobotHealth(redis: Redis): Promise<Record<string, RobotHealth>> {
  const raw = await redis.hgetall(KEYS.robotHealth);
  const out: Record<string, RobotHealth> = {};
  for (const [robot, text] of Object.entries(raw)) {
    try {
      const parsed = robotHealthSchema.safeParse(JSON.parse(text));
      if (parsed.success) out[robot] = { ...parsed.data, queued: await redis.llen(KEYS.lane(robot)) };
    } catch {
      // an unreadable entry is left out
    }
  }
  return out;
}

export async function readRobotHealthOf(redis: Redis, robot: string): Promise<RobotHealth | undefined> {
  const text = await redis.hget(KEYS.robotHealth, robot);
  if (!text) return undefined;
  try {
    const parsed = robotHealthSchema.safeParse(JSON.parse(text));
    return parsed.success ? parsed.data : undefined;
  } catch {
    return undefined;
  }
}

/**
 * The parked messages' retry: their decisions may be queued again (they leave the set of
 * decisions already queued); the parked list is emptied.
 */
export async function releaseParked(redis: Redis, robot: string, fence: string): Promise<number> {
  const done = await runScript(redis, RELEASE_PARKED, [robot], [fence]);
  return Number(done);
}

const RELEASE_PARKED = defineScript({
  name: "parked release",
  keys: (robot: string) => [KEYS.parked(robot), KEYS.laneSeen(robot), KEYS.dispatcherLock],
  examples: ROBOT_EXAMPLES,
  lua: `if redis.call('GET', KEYS[3]) ~= ARGV[1] then return -1 end
local n = 0
for _, text in ipairs(redis.call('LRANGE', KEYS[1], 0, -1)) do
  local ok, entry = pcall(cjson.decode, text)
  if ok and type(entry) == 'table' and entry.messageId then redis.call('ZREM', KEYS[2], entry.messageId) n = n + 1 end
end
redis.call('DEL', KEYS[1])
return n`,
});

/** Messages DingTalk refused for good, newest last. */
export async function readParked(redis: Redis, robot: string): Promise<unknown[]> {
  return (await redis.lrange(KEYS.parked(robot), 0, -1)).flatMap((t) => {
    try {
      return [JSON.parse(t) as unknown];
    } catch {
      return [];
    }
  });
}

/** Takes up to `max` receipts, to apply; `dropReceipts` removes them once applied. */
export async function peekReceipts(redis: Redis, max = 200): Promise<string[]> {
  return redis.lrange(KEYS.receipts, 0, max - 1);
}

export async function dropReceipts(redis: Redis, count: number, fence: string): Promise<boolean> {
  const done = await runScript(redis, DROP_RECEIPTS, [], [fence, count]);
  return Number(done) === 1;
}

const DROP_RECEIPTS = defineScript({
  name: "receipts drop",
  keys: () => [KEYS.receipts, KEYS.dispatcherLock],
  examples: [[]],
  lua: `if redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end redis.call('LTRIM', KEYS[1], tonumber(ARGV[2]), -1) return 1`,
});

export const ROBOT_LANE_SCRIPTS = [ENQUEUE, DROP_HEAD, SENDER_WRITE, RELEASE_PARKED, DROP_RECEIPTS] as const;
