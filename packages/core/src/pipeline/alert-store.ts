import type { Redis } from "ioredis";
import { z } from "zod";
import type { HostAlerts, StoredRead } from "../alerting/alert-state.js";
import type { ResultFlow } from "../alerting/apply-result.js";
import { parseHostAlerts } from "../alerting/alert-state.js";
import type { PipelineAlerts } from "../alerting/pipeline-alerts.js";
import { emptyPipelineAlerts, readPipelineAlerts } from "../alerting/pipeline-alerts.js";
import type { GroupTimer } from "../alerting/plan-dispatch.js";
import type { Silence } from "../alerting/silence.js";
import { silenceSchema } from "../alerting/silence.js";
import { HOST_EXAMPLES } from "./key-examples.js";
import { KEYS } from "./redis-keys.js";
import { defineKeyGroup, defineScript, runScript } from "./redis-script.js";

/** Reads a document and Redis's clock together, on the document's own node: the one clock decisions use. */
const READ_WITH_TIME = defineScript({
  name: "alert document read with time",
  keys: (key: string) => [key],
  examples: [[KEYS.pipelineAlerts], ...HOST_EXAMPLES.map(([h]) => [KEYS.hostAlerts(h)] as [string])],
  lua: `
local t = redis.call('TIME')
return {redis.call('GET', KEYS[1]) or false, t[1], t[2]}
`,
});

/**
 * Compare-and-set of one host's alert state: written only if the stored text is still what
 * was read. Keeps the active-host set and the stale index in step, atomically.
 * Writes by the dispatcher are fenced by its lock (refused, -1, once another replica holds it).
 * KEYS: host doc, active set, stale zset, dispatcher lock. ARGV: host, expected text ('' for none), json, active?, stale-at (or -1 to drop), delete?, fence ('' for none)
 */
const CAS = defineScript({
  name: "host alerts compare-and-set",
  keys: (host: string) => [KEYS.hostAlerts(host), KEYS.activeHosts, KEYS.staleDeadlines, KEYS.dispatcherLock],
  examples: HOST_EXAMPLES,
  lua: `
if ARGV[7] ~= '' and redis.call('GET', KEYS[4]) ~= ARGV[7] then return -1 end
local cur = redis.call('GET', KEYS[1]) or ''
if cur ~= ARGV[2] then return 0 end
if ARGV[6] == '1' then
  redis.call('DEL', KEYS[1])
  redis.call('SREM', KEYS[2], ARGV[1])
  redis.call('ZREM', KEYS[3], ARGV[1])
  return 1
end
redis.call('SET', KEYS[1], ARGV[3])
if ARGV[4] == '1' then redis.call('SADD', KEYS[2], ARGV[1]) else redis.call('SREM', KEYS[2], ARGV[1]) end
if tonumber(ARGV[5]) >= 0 then redis.call('ZADD', KEYS[3], ARGV[5], ARGV[1]) else redis.call('ZREM', KEYS[3], ARGV[1]) end
return 1
`,
});

const CAS_ONE = defineScript({
  name: "pipeline alerts compare-and-set",
  keys: () => [KEYS.pipelineAlerts, KEYS.dispatcherLock],
  examples: [[]],
  lua: `
if ARGV[3] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[3] then return -1 end
local cur = redis.call('GET', KEYS[1]) or ''
if cur ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[1], ARGV[2])
return 1
`,
});

const SAVE_TIMERS = defineScript({
  name: "group timers save",
  keys: () => [KEYS.groups, KEYS.dispatcherLock],
  examples: [[]],
  lua: `
if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) ~= ARGV[1] then return -1 end
for i = 2, #ARGV, 2 do
  if ARGV[i + 1] == '' then redis.call('HDEL', KEYS[1], ARGV[i]) else redis.call('HSET', KEYS[1], ARGV[i], ARGV[i + 1]) end
end
return 1
`,
});

/** Stamps the last result of any host; the first after a fleet-wide pause of ARGV[1] ms also stamps the resumption. */
const NOTE_RESULT = defineScript({
  name: "note result seen",
  keys: () => [KEYS.lastAnyResult, KEYS.resultsResumedAt],
  examples: [[]],
  lua: `
local t = redis.call('TIME')
local ms = t[1] * 1000 + math.floor(t[2] / 1000)
local previous = tonumber(redis.call('GET', KEYS[1]))
if previous and ms - previous >= tonumber(ARGV[1]) then
  redis.call('SET', KEYS[2], string.format('%d', ms))
end
redis.call('SET', KEYS[1], string.format('%d', ms))
return 1
`,
});

const TIME = defineScript({
  name: "alert state clock",
  keys: () => [KEYS.activeHosts],
  examples: [[]],
  lua: `
local t = redis.call('TIME')
return {t[1], t[2]}
`,
});

/** Many hosts' alert state in one MGET. */
const HOST_ALERTS_MANY = defineKeyGroup({
  name: "host alerts MGET",
  keys: (hosts: readonly string[]) => hosts.map((h) => KEYS.hostAlerts(h)),
  examples: [[HOST_EXAMPLES.map(([h]) => h)]],
});

/** The fleet's flow of results in one MGET. */
const RESULT_FLOW = defineKeyGroup({
  name: "result flow MGET",
  keys: () => [KEYS.lastAnyResult, KEYS.resultsResumedAt],
  examples: [[]],
});

export const ALERT_STORE_SCRIPTS = [READ_WITH_TIME, CAS, CAS_ONE, SAVE_TIMERS, NOTE_RESULT, TIME] as const;
export const ALERT_STORE_KEY_GROUPS = [HOST_ALERTS_MANY, RESULT_FLOW] as const;

const timerSchema = z.object({ firstChangeAt: z.number().optional(), lastFlushAt: z.number().optional() });

export interface HostWrite {
  state: HostAlerts;
  /** When the host goes stale without news; undefined to stop watching it. */
  staleAt?: number;
  delete?: boolean;
}

/** The dispatcher's lock is another replica's now: whatever it was about to write is not written. */
export class FencedError extends Error {
  readonly code = "FENCED";
  constructor(what: string) {
    super(`${what}: the dispatcher lock is no longer this replica's; nothing written`);
  }
}

/** Options of a write: `fence` is the dispatcher lock's value it must still hold. */
export interface WriteOptions {
  fence?: string;
}

/** A stored document that could not be read: logged by whoever owns a logger, then skipped or replaced. */
export type UnreadableHandler = (key: string, reason: string, newer: boolean) => void;

const toMs = (seconds: string | number, micros: string | number) => Number(seconds) * 1000 + Math.floor(Number(micros) / 1000);

/** The notifier's state in Redis, all under one hash tag so scripts may touch it together. */
export class AlertStore {
  constructor(
    private readonly redis: Redis,
    private readonly onUnreadable: UnreadableHandler = () => {},
  ) {}

  /** Redis's clock, read on the alert state's node. */
  async now(): Promise<number> {
    const [s, us] = (await runScript(this.redis, TIME, [])) as [string, string];
    return toMs(s, us);
  }

  private readDoc<T>(key: string, text: string | null, read: (text: string) => StoredRead<T>): StoredRead<T> | undefined {
    if (text === null) return undefined;
    const parsed = read(text);
    if (!parsed.ok) this.onUnreadable(key, parsed.reason, parsed.newer);
    return parsed;
  }

  /** One host's state; undefined when there is none or it cannot be read (reported to `onUnreadable`). */
  async load(host: string): Promise<HostAlerts | undefined> {
    const read = this.readDoc(KEYS.hostAlerts(host), await this.redis.get(KEYS.hostAlerts(host)), parseHostAlerts);
    return read?.ok ? read.value : undefined;
  }

  /**
   * Reads, changes and writes one host's state, retrying when another replica wrote in
   * between. `change` gets the state and Redis's clock (read with it) and must be a pure
   * function of them. A document that cannot be read is replaced, unless it is from a newer
   * fleetwatch (then nothing is written).
   */
  async update(host: string, change: (current: HostAlerts | undefined, now: number) => HostWrite | undefined, options: WriteOptions = {}): Promise<HostAlerts | undefined> {
    const key = KEYS.hostAlerts(host);
    for (let attempt = 0; attempt < 50; attempt++) {
      const [text, s, us] = (await runScript(this.redis, READ_WITH_TIME, [key])) as [string | null, string, string];
      const read = this.readDoc(key, text, parseHostAlerts);
      if (read && !read.ok && read.newer) return undefined;
      const current = read?.ok ? read.value : undefined;
      const write = change(current, toMs(s, us));
      if (!write) return current;
      const next = { ...write.state, version: (current?.version ?? 0) + 1 };
      const active = Object.keys(next.alerts).length > 0;
      const ok = await runScript(this.redis, CAS, [host], [
        host,
        text ?? "",
        JSON.stringify(next),
        active ? "1" : "0",
        write.staleAt ?? -1,
        write.delete ? "1" : "0",
        options.fence ?? "",
      ]);
      if (ok === -1) throw new FencedError(`alert state of ${host}`);
      if (ok === 1) return write.delete ? undefined : next;
    }
    throw new Error(`bug or extreme contention: could not update alert state of ${host} after 50 attempts`);
  }

  async activeHosts(): Promise<string[]> {
    return this.redis.smembers(KEYS.activeHosts);
  }

  async staleHosts(now: number): Promise<string[]> {
    return this.redis.zrangebyscore(KEYS.staleDeadlines, 0, now);
  }

  /** Many hosts' state; one that cannot be read is reported and skipped, never stops the caller. */
  async loadMany(hosts: readonly string[]): Promise<HostAlerts[]> {
    if (hosts.length === 0) return [];
    const texts = await this.redis.mget(...HOST_ALERTS_MANY.keys(hosts));
    return texts.flatMap((t, i) => {
      const read = this.readDoc(KEYS.hostAlerts(hosts[i]!), t, parseHostAlerts);
      return read?.ok ? [read.value] : [];
    });
  }

  /** The pipeline-level alerts (never undefined: empty when none). */
  async pipelineAlerts(): Promise<PipelineAlerts> {
    const read = this.readDoc(KEYS.pipelineAlerts, await this.redis.get(KEYS.pipelineAlerts), parsePipelineAlerts);
    return read?.ok ? read.value : emptyPipelineAlerts();
  }

  /** Compare-and-set of the pipeline-level alerts, with Redis's clock as for hosts. */
  async updatePipeline(change: (current: PipelineAlerts, now: number) => PipelineAlerts | undefined, options: WriteOptions = {}): Promise<PipelineAlerts | undefined> {
    const key = KEYS.pipelineAlerts;
    for (let attempt = 0; attempt < 50; attempt++) {
      const [text, s, us] = (await runScript(this.redis, READ_WITH_TIME, [key])) as [string | null, string, string];
      const read = this.readDoc(key, text, parsePipelineAlerts);
      if (read && !read.ok && read.newer) return undefined;
      const current = read?.ok ? read.value : emptyPipelineAlerts();
      const next = change(current, toMs(s, us));
      if (!next) return current;
      const written = { ...next, version: current.version + 1 };
      const ok = await runScript(this.redis, CAS_ONE, [], [text ?? "", JSON.stringify(written), options.fence ?? ""]);
      if (ok === -1) throw new FencedError("pipeline alerts");
      if (ok === 1) return written;
    }
    throw new Error("bug or extreme contention: could not update the pipeline alerts after 50 attempts");
  }

  async timers(): Promise<Record<string, GroupTimer>> {
    const raw = await this.redis.hgetall(KEYS.groups);
    return Object.fromEntries(
      Object.entries(raw).flatMap(([k, v]) => {
        const parsed = safeJson(v, timerSchema);
        if (!parsed.ok) this.onUnreadable(`${KEYS.groups} ${k}`, parsed.reason, false);
        return parsed.ok ? [[k, parsed.value]] : [];
      }),
    );
  }

  async saveTimers(changes: Record<string, GroupTimer | null>, options: WriteOptions = {}): Promise<void> {
    const entries = Object.entries(changes);
    if (entries.length === 0) return;
    const ok = await runScript(this.redis, SAVE_TIMERS, [], [options.fence ?? "", ...entries.flatMap(([k, v]) => [k, v === null ? "" : JSON.stringify(v)])]);
    if (ok === -1) throw new FencedError("group timers");
  }

  async silences(): Promise<Silence[]> {
    const raw = await this.redis.hgetall(KEYS.silences);
    return Object.entries(raw).flatMap(([id, v]) => {
      const parsed = safeJson(v, silenceSchema);
      if (!parsed.ok) this.onUnreadable(`${KEYS.silences} ${id}`, parsed.reason, false);
      return parsed.ok ? [parsed.value] : [];
    });
  }

  async saveSilence(silence: Silence): Promise<void> {
    await this.redis.hset(KEYS.silences, silence.id, JSON.stringify(silence));
  }

  async deleteSilence(id: string): Promise<boolean> {
    return (await this.redis.hdel(KEYS.silences, id)) === 1;
  }

  /**
   * A result arrived: stamped with Redis's clock, for the "monitoring stalled" check and for
   * staleness. When no host had reported for `pauseMs` before it, results have resumed
   * after a pause of the monitor's own (see resultPauseMs).
   */
  async noteResultSeen(pauseMs: number): Promise<void> {
    await runScript(this.redis, NOTE_RESULT, [], [pauseMs]);
  }

  /** The fleet's flow of results: the last of any host, and the last resumption after a pause. */
  async resultFlow(): Promise<ResultFlow> {
    const [lastAt, resumedAt] = await this.redis.mget(...RESULT_FLOW.keys());
    return { ...(lastAt ? { lastAt: Number(lastAt) } : {}), ...(resumedAt ? { resumedAt: Number(resumedAt) } : {}) };
  }

  /** Moves a host's staleness deadline later (never earlier: a result may have just set it). */
  async deferStale(host: string, at: number): Promise<void> {
    await this.redis.zadd(KEYS.staleDeadlines, "XX", "GT", at, host);
  }

  async lastResultSeen(): Promise<number | undefined> {
    const v = await this.redis.get(KEYS.lastAnyResult);
    return v ? Number(v) : undefined;
  }
}

function parsePipelineAlerts(text: string): StoredRead<PipelineAlerts> {
  try {
    return readPipelineAlerts(JSON.parse(text));
  } catch (error) {
    return { ok: false, reason: `not JSON (${(error as Error).message})`, newer: false };
  }
}

function safeJson<T>(text: string, schema: z.ZodType<T>): { ok: true; value: T } | { ok: false; reason: string } {
  try {
    const parsed = schema.safeParse(JSON.parse(text));
    return parsed.success ? { ok: true, value: parsed.data } : { ok: false, reason: parsed.error.issues.map((i) => `${i.path.join(".")}: ${i.message}`).join("; ") };
  } catch (error) {
    return { ok: false, reason: `not JSON (${(error as Error).message})` };
  }
}
