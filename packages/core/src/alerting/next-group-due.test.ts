import { describe, expect, it } from "vitest";
import { nextGroupDueAt } from "./next-group-due.js";

const settings = { groupWaitMs: 30_000, groupIntervalMs: 300_000 };

describe("nextGroupDueAt", () => {
  it("is undefined when no group waits to be sent", () => {
    expect(nextGroupDueAt({}, settings)).toBeUndefined();
    expect(nextGroupDueAt({ a: { lastFlushAt: 1_000 }, b: null }, settings)).toBeUndefined();
  });

  it("is groupWait after a new group's first change, groupInterval after a told group's last message, the earliest of them", () => {
    expect(nextGroupDueAt({ a: { firstChangeAt: 10_000 } }, settings)).toBe(40_000);
    expect(nextGroupDueAt({ a: { firstChangeAt: 10_000, lastFlushAt: 5_000 } }, settings)).toBe(305_000);
    expect(nextGroupDueAt({ a: { firstChangeAt: 10_000, lastFlushAt: 5_000 }, b: { firstChangeAt: 20_000 }, c: null }, settings)).toBe(50_000);
  });
});
