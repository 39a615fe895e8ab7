import { describe, expect, it } from "vitest";
import { editDistance, nearestName } from "./nearest-name.js";

describe("nearestName", () => {
  it("finds the key a typo meant", () => {
    expect(nearestName("knownhosts", ["key", "knownHosts", "user"])).toBe("knownHosts");
    expect(nearestName("thresolds", ["ssh", "thresholds", "processes"])).toBe("thresholds");
    expect(nearestName("intreval", ["interval", "for"])).toBe("interval");
    expect(nearestName("procesess", ["processes", "mounts"])).toBe("processes");
  });

  it("suggests nothing for a word unlike every candidate", () => {
    expect(nearestName("banana", ["ssh", "interval", "thresholds"])).toBeUndefined();
    expect(nearestName("x", ["ssh", "for"])).toBeUndefined();
  });

  it("counts a swap of two letters as one edit", () => {
    expect(editDistance("uesr", "user")).toBe(1);
  });
});
