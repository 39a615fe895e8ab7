import { describe, expect, it } from "vitest";
import { HANDSHAKE_ROOM_MS, refusedHandshakePauseMs, withinDeadline } from "./refused-handshake-retry.js";

describe("refusedHandshakePauseMs", () => {
  it("pauses a random 100–500 ms first, doubling with each attempt", () => {
    expect(refusedHandshakePauseMs(0, 60_000, () => 0)).toBe(100);
    expect(refusedHandshakePauseMs(0, 60_000, () => 1)).toBe(500);
    expect(refusedHandshakePauseMs(1, 60_000, () => 0)).toBe(200);
    expect(refusedHandshakePauseMs(3, 60_000, () => 0.5)).toBe(2_400);
    expect(refusedHandshakePauseMs(9, 60_000, () => 0)).toBe(1_600);
  });

  it("never pauses past the point where a handshake still fits in the deadline", () => {
    expect(refusedHandshakePauseMs(3, HANDSHAKE_ROOM_MS + 300, () => 0)).toBe(300);
    expect(refusedHandshakePauseMs(0, HANDSHAKE_ROOM_MS, () => 0)).toBeUndefined();
    expect(refusedHandshakePauseMs(0, 0, () => 0)).toBeUndefined();
  });
});

describe("withinDeadline", () => {
  const target = { connectTimeoutMs: 2_000, handshakeTimeoutMs: 3_000, commandTimeoutMs: 5_000 } as Parameters<typeof withinDeadline>[0];

  it("keeps each stage's deadline when the check has time", () => {
    expect(withinDeadline(target, 10_000)).toMatchObject({ connectTimeoutMs: 2_000, handshakeTimeoutMs: 3_000, commandTimeoutMs: 5_000 });
  });

  it("cuts the stages to what is left", () => {
    expect(withinDeadline(target, 2_500)).toMatchObject({ connectTimeoutMs: 2_000, handshakeTimeoutMs: 2_500, commandTimeoutMs: 2_500 });
    expect(withinDeadline(target, 0)).toMatchObject({ connectTimeoutMs: 1, handshakeTimeoutMs: 1, commandTimeoutMs: 1 });
  });
});
