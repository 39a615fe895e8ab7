import { describe, expect, it } from "vitest";
import { KEYS } from "./redis-keys.js";

/** Redis Cluster's CRC16 (XMODEM) of a key's hash tag, mod 16384. */
function keySlot(key: string): number {
  const open = key.indexOf("{");
  const close = open >= 0 ? key.indexOf("}", open + 1) : -1;
  const tagged = open >= 0 && close > open + 1 ? key.slice(open + 1, close) : key;
  let crc = 0;
  for (const byte of Buffer.from(tagged)) {
    crc ^= byte << 8;
    for (let i = 0; i < 8; i++) crc = crc & 0x8000 ? ((crc << 1) ^ 0x1021) & 0xffff : (crc << 1) & 0xffff;
  }
  return crc % 16384;
}

/** The keys each multi-key script touches together. */
const SCRIPTS: Record<string, string[]> = {
  "alert CAS": [KEYS.hostAlerts("web-1"), KEYS.activeHosts, KEYS.staleDeadlines, KEYS.dispatcherLock],
  "pipeline alerts CAS": [KEYS.pipelineAlerts, KEYS.dispatcherLock],
  "timers": [KEYS.groups, KEYS.dispatcherLock],
  "dispatcher lock": [KEYS.dispatcherLock, KEYS.dispatcherLockToken],
  "lane enqueue": [KEYS.lane("ops"), KEYS.laneMessages("ops"), KEYS.laneSeen("ops"), KEYS.dispatcherLock],
  "sender write": [KEYS.lane("ops"), KEYS.laneMessages("ops"), KEYS.senderLock("ops"), KEYS.robotSent("ops"), KEYS.receipts, KEYS.robotHealth, KEYS.parked("ops")],
  "sender lock": [KEYS.senderLock("ops"), KEYS.senderLockToken("ops")],
  "parked release": [KEYS.parked("ops"), KEYS.laneSeen("ops"), KEYS.dispatcherLock],
  "receipts drop": [KEYS.receipts, KEYS.dispatcherLock],
  "lease acquire": [KEYS.schedulerLease, KEYS.schedulerLeaseToken],
  "slot claim": [KEYS.lastSlot, KEYS.schedulerLease],
  "due hosts": [KEYS.due, KEYS.lastSlot],
  "batch claim": [KEYS.lastSlot, KEYS.schedulerLease, KEYS.due],
  "due enrol": [KEYS.schedulerLease, KEYS.due],
  "scheduled host drop (MULTI)": [KEYS.due, KEYS.lastSlot],
  "latest result and history ring": [KEYS.latestResult("2001:db8::7"), KEYS.history("2001:db8::7")],
  "timeline append (MULTI)": [KEYS.hostTimeline("web-1"), KEYS.hostTimeline("db-1"), KEYS.fleetTimeline],
  "membership publish": [KEYS.schedulerLease, KEYS.members, KEYS.membership, KEYS.removals, "fleetwatch:{sched}:hosts"],
};

describe("Redis keys on a cluster", () => {
  it("puts every key a script touches in one slot", () => {
    expect(keySlot("{user1000}.following")).toBe(keySlot("{user1000}.followers"));
    expect(keySlot("123456789")).toBe(0x31c3 % 16384);
    for (const [script, keys] of Object.entries(SCRIPTS)) {
      expect(new Set(keys.map(keySlot)), script).toHaveProperty("size", 1);
    }
  });
});
