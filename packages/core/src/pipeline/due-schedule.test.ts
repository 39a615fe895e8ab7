import { describe, expect, it } from "vitest";
import { busyRetryMs, decideDue, groupBy, inBatches, slotStartAtOrAfter } from "./due-schedule.js";

const MIN = 60_000;

describe("due schedule on a fake clock", () => {
  it("claims the slot now falls in and makes the host due at the next slot start", () => {
    const now = 10 * MIN + 25_000;
    expect(decideDue({ intervalMs: MIN, offsetMs: 7_000, busy: false }, now, 1_000)).toEqual({ kind: "claim", slotStart: 10 * MIN + 7_000, slotIndex: 10, nextDue: 11 * MIN + 7_000 });
  });

  it("walks a host through three slots, one claim each, every decision at the due time it set", () => {
    const host = { intervalMs: MIN, offsetMs: 5_000, busy: false, lastStart: undefined as number | undefined };
    let now = 3 * MIN + 40_000;
    const claimed: number[] = [];
    for (let i = 0; i < 3; i++) {
      const d = decideDue(host, now, 1_000);
      expect(d.kind).toBe("claim");
      if (d.kind !== "claim") return;
      claimed.push(d.slotStart);
      host.lastStart = d.slotStart;
      // Looked at again a little early (a tick later than claimed, before the next slot): taken.
      expect(decideDue(host, now + 1_000, 1_000)).toEqual({ kind: "taken", nextDue: d.nextDue });
      now = d.nextDue;
    }
    expect(claimed).toEqual([3 * MIN + 5_000, 4 * MIN + 5_000, 5 * MIN + 5_000]);
  });

  it("neither doubles nor skips a check when the interval shortens", () => {
    // Last claim at 600,000 on a 60 s grid; now 30 s with offset 10 s: slot 610,000 is only 10 s later.
    const d = decideDue({ intervalMs: 30_000, offsetMs: 10_000, lastStart: 600_000, busy: false }, 612_000, 1_000);
    expect(d).toEqual({ kind: "taken", nextDue: 640_000 });
    expect(decideDue({ intervalMs: 30_000, offsetMs: 10_000, lastStart: 600_000, busy: false }, 640_000, 1_000)).toMatchObject({ kind: "claim", slotStart: 640_000 });
  });

  it("neither doubles nor skips a check when the interval lengthens", () => {
    // Last claim at 630,000 on a 30 s grid; now 60 s with offset 20 s: the first slot start ≥ 690,000 is 740,000.
    const d = decideDue({ intervalMs: 60_000, offsetMs: 20_000, lastStart: 630_000, busy: false }, 650_000, 1_000);
    expect(d).toEqual({ kind: "taken", nextDue: 740_000 });
    expect(decideDue({ intervalMs: 60_000, offsetMs: 20_000, lastStart: 630_000, busy: false }, 740_000, 1_000)).toMatchObject({ kind: "claim", slotStart: 740_000 });
  });

  it("does not pile on a host whose previous check is still running: looks again a tenth of an interval later", () => {
    expect(decideDue({ intervalMs: MIN, offsetMs: 0, lastStart: 0, busy: true }, MIN + 2, 1_000)).toEqual({ kind: "busy", nextDue: MIN + 2 + 6_000 });
    expect(busyRetryMs(5_000, 1_000)).toBe(1_000);
  });

  it("finds the first slot start at or after a time", () => {
    expect(slotStartAtOrAfter(600_000, MIN, 5_000)).toBe(605_000);
    expect(slotStartAtOrAfter(605_000, MIN, 5_000)).toBe(605_000);
    expect(slotStartAtOrAfter(605_001, MIN, 5_000)).toBe(665_000);
  });

  it("cuts work into batches and groups jobs by queue", () => {
    expect(inBatches([1, 2, 3, 4, 5], 2)).toEqual([[1, 2], [3, 4], [5]]);
    expect(inBatches([], 2)).toEqual([]);
    expect(() => inBatches([1], 0)).toThrow(RangeError);
    expect([...groupBy(["a1", "b1", "a2"], (s) => s[0]!)]).toEqual([["a", ["a1", "a2"]], ["b", ["b1"]]]);
  });
});
