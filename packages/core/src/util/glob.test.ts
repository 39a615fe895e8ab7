import { expect, it } from "vitest";
import { globMatcher } from "./glob.js";

it("matches shell-style patterns and comma-separated alternatives", () => {
  const match = globMatcher("web-*,db-?");
  expect(["web-1", "web-eu-2", "db-1"].every(match)).toBe(true);
  expect(["db-10", "cache-1", "xweb-1"].some(match)).toBe(false);
});

it("treats regex characters in names literally", () => {
  expect(globMatcher("10.0.0.1")("10.0.0.1")).toBe(true);
  expect(globMatcher("10.0.0.1")("10x0x0x1")).toBe(false);
});
