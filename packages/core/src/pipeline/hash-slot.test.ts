import { describe, expect, it } from "vitest";
import { hashSlot, hashTagOf } from "./hash-slot.js";

describe("hashSlot", () => {
  it("answers what CLUSTER KEYSLOT answers", () => {
    // Values from redis-server 7 (CLUSTER KEYSLOT) and ioredis's cluster-key-slot.
    expect(hashSlot("foo")).toBe(12182);
    expect(hashSlot("bar")).toBe(5061);
    expect(hashSlot("somekey")).toBe(11058);
    expect(hashSlot("{user1000}.following")).toBe(3443);
    expect(hashSlot("fleetwatch:{sched}:x")).toBe(7021);
    expect(hashSlot("主机")).toBe(1986);
  });

  it("hashes only the first non-empty {tag}", () => {
    expect(hashTagOf("fleetwatch:{alerts}:host:{x}")).toBe("alerts");
    expect(hashTagOf("a{}b{c}")).toBe("a{}b{c}");
    expect(hashTagOf("no-tag")).toBe("no-tag");
    expect(hashSlot("x:{latest}:a")).toBe(hashSlot("y:{latest}:b"));
  });
});
