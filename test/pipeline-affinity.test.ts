import { readFileSync } from "node:fs";
import { afterAll, beforeAll, expect, it } from "vitest";
import { CHECK_SHARD_COUNT, checkShardOf, shardHolders } from "@fleetwatch/core";
import type { AppProcess, LabHost } from "@fleetwatch/testkit";
import { eventually, Pipeline } from "./pipeline-harness.js";

const p = new Pipeline();
const NAMES = ["aff-1", "aff-2", "aff-3", "aff-4", "aff-5", "aff-6"];
const hosts: LabHost[] = [];

beforeAll(async () => {
  await p.start();
  // One sshd per host, so its log counts that host's logins alone.
  for (const _ of NAMES) hosts.push(...(await p.lab.startHosts()));
  p.writeConfig(await p.lab.writeKnownHosts("known_hosts", hosts), NAMES.map((name, i) => ({ name, host: hosts[i]! })));
});
afterAll(async () => {
  await p.stop();
});

/** The worker process that holds each shard's lease (its id carries its pid). */
async function shardOwners(workers: readonly AppProcess[]): Promise<(AppProcess | undefined)[]> {
  return (await shardHolders(p.redis)).map((value) => workers.find((w) => value?.includes(`-${w.child.pid}-`)));
}
const shardsOf = async (worker: AppProcess, all: readonly AppProcess[]) => (await shardOwners(all)).filter((w) => w === worker).length;
const checkedIn = (worker: AppProcess, name: string) => readFileSync(worker.logFile, "utf8").split("\n").filter((l) => l.includes('"msg":"checked"') && l.includes(`"host":"${name}"`)).length;
const logins = () => hosts.map((h) => p.lab.logins(h));
const checkedSince = async (at: number) => {
  for (const name of NAMES) if (((await p.latest(name))?.finishedAt ?? 0) <= at) return false;
  return true;
};

it("routes each host's checks to one worker, takes over a killed worker's shards within about an interval, and hands a stopped worker's shards over at once", async () => {
  const a = p.spawn("worker");
  const b = p.spawn("worker");
  await eventually(async () => (await shardsOf(a, [a, b])) === CHECK_SHARD_COUNT / 2 && (await shardsOf(b, [a, b])) === CHECK_SHARD_COUNT / 2, 60_000, "two workers to share the shards half and half");
  for (const w of [a, b]) {
    const metrics = async () => (await fetch(`${await w.httpUrl()}/metrics`)).text();
    await eventually(async () => (await metrics()).includes(`fleetwatch_check_shards ${CHECK_SHARD_COUNT / 2}`), 20_000, "each worker to export the shards it consumes");
  }
  p.spawn("scheduler");

  // Every host checked several times over one login, each by one worker only.
  await eventually(async () => {
    for (const name of NAMES) if (!((await p.latest(name))?.reused && Math.max(checkedIn(a, name), checkedIn(b, name)) >= 3)) return false;
    return true;
  }, 60_000, "every host checked three times over its kept connection");
  expect(logins()).toEqual(NAMES.map(() => 1));
  for (const name of NAMES) expect([checkedIn(a, name), checkedIn(b, name)], name).toContain(0);
  const owners = await shardOwners([a, b]);
  for (const name of NAMES) expect(checkedIn(owners[checkShardOf(name)]!, name), name).toBeGreaterThan(0);

  // SIGKILL the worker that checks aff-1: the other takes its shards once their leases lapse.
  const victim = owners[checkShardOf("aff-1")]!;
  const survivor = victim === a ? b : a;
  victim.signal("SIGKILL");
  await victim.exited;
  const killedAt = Date.now();
  await eventually(async () => (await shardsOf(survivor, [survivor])) === CHECK_SHARD_COUNT, 30_000, "the survivor to hold every shard");
  const takeoverMs = Date.now() - killedAt;
  await eventually(() => checkedSince(killedAt), 30_000, "every host checked after the kill");
  const checkedAllMs = Date.now() - killedAt;
  // The lease lasts 2 s at a 1 s interval; a loaded 2-core machine gets generous room.
  expect(takeoverMs).toBeLessThan(15_000);
  console.log(`takeover after SIGKILL: every shard in ${takeoverMs} ms, every host checked again in ${checkedAllMs} ms`);
  // The killed worker's hosts logged in once more, on the survivor; the others did not.
  const moved = NAMES.filter((name) => owners[checkShardOf(name)] === victim);
  expect(logins()).toEqual(NAMES.map((name) => (moved.includes(name) ? 2 : 1)));

  // A third worker joins and gets half; on SIGTERM its leases are released as it exits, not left to lapse.
  const c = p.spawn("worker");
  await eventually(async () => (await shardsOf(c, [c, survivor])) === CHECK_SHARD_COUNT / 2 && (await shardsOf(survivor, [c, survivor])) === CHECK_SHARD_COUNT / 2, 60_000, "the new worker to hold half the shards");
  expect(await c.stop()).toBe(0);
  expect(await shardsOf(c, [c])).toBe(0);
  const stoppedAt = Date.now();
  await eventually(async () => (await shardsOf(survivor, [survivor])) === CHECK_SHARD_COUNT, 30_000, "the survivor to hold every shard again");
  const handoverMs = Date.now() - stoppedAt;
  console.log(`handover after SIGTERM: every shard in ${handoverMs} ms`);
  // Released, so taken at the survivor's next renewal (every ⅔ s), well before a 2 s lease could lapse.
  expect(handoverMs).toBeLessThan(10_000);
  expect(readFileSync(c.logFile, "utf8")).not.toMatch(/lease lost/);
});
