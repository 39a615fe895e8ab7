import { describe, expect, it } from "vitest";
import { formatDuration, parseDuration } from "./duration.js";

describe("parseDuration", () => {
  it("reads every unit", () => {
    expect(parseDuration("500ms")).toBe(500);
    expect(parseDuration("30s")).toBe(30_000);
    expect(parseDuration("10m")).toBe(600_000);
    expect(parseDuration("4h")).toBe(14_400_000);
    expect(parseDuration("1.5s")).toBe(1_500);
  });
  it("refuses text that is not a duration", () => {
    expect(parseDuration("60")).toBeUndefined();
    expect(parseDuration("5 minutes")).toBeUndefined();
    expect(parseDuration("-5s")).toBeUndefined();
  });
});

describe("formatDuration", () => {
  it("picks a readable unit", () => {
    expect(formatDuration(850)).toBe("850ms");
    expect(formatDuration(4_200)).toBe("4.2s");
    expect(formatDuration(300_000)).toBe("5m");
    expect(formatDuration(14_400_000)).toBe("4h");
  });
});
