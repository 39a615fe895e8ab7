import { describe, expect, it } from "vitest";
import { checkSilenceScope, matchesEveryName } from "./silence-scope.js";

describe("silence scope guard", () => {
  it("refuses a silence of every check on every host without all", () => {
    const result = checkSilenceScope({ host: "*", check: "*", all: false });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain("--all");
  });

  it("treats a list holding * as matching everything", () => {
    expect(matchesEveryName("web-*, *")).toBe(true);
    expect(matchesEveryName("**")).toBe(true);
    expect(matchesEveryName("web-*")).toBe(false);
    expect(checkSilenceScope({ host: "web-1,*", check: "disk*,*", all: false }).ok).toBe(false);
  });

  it("accepts a fleet-wide silence when all is given, and any narrowed one without it", () => {
    expect(checkSilenceScope({ host: "*", check: "*", all: true }).ok).toBe(true);
    expect(checkSilenceScope({ host: "*", check: "disk*", all: false }).ok).toBe(true);
    expect(checkSilenceScope({ host: "web-*", check: "*", all: false }).ok).toBe(true);
  });

  it("refuses an empty pattern", () => {
    expect(checkSilenceScope({ host: " ", check: "*", all: true }).ok).toBe(false);
  });
});
