import { readdirSync, readFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { hashSlot } from "./hash-slot.js";
import { KEYS } from "./redis-keys.js";
import { defineScript } from "./redis-script.js";
import { REDIS_KEY_GROUPS, REDIS_SCRIPTS } from "./redis-script-registry.js";

const root = join(dirname(fileURLToPath(import.meta.url)), "../../../..");

/** The sources of the packages and apps (tests and benchmarks aside), to find scripts the registry misses. */
function sources(): { file: string; text: string }[] {
  const out: { file: string; text: string }[] = [];
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory() && !["node_modules", "dist", "bench", "test-support"].includes(entry.name)) walk(path);
      else if (entry.isFile() && entry.name.endsWith(".ts") && !entry.name.endsWith(".test.ts")) out.push({ file: relative(root, path), text: readFileSync(path, "utf8") });
    }
  };
  for (const top of ["packages/core/src", ...readdirSync(join(root, "apps")).map((a) => `apps/${a}/src`)]) walk(join(root, top));
  return out;
}

/** What is wrong with a script's or key group's keys on a cluster: one line per example whose keys span slots. */
function slotProblems(what: { name: string; keys: (...p: never[]) => readonly string[]; examples: readonly (readonly unknown[])[] }): string[] {
  if (what.examples.length === 0) return [`${what.name}: no examples to compute slots from`];
  return what.examples.flatMap((params) => {
    const keys = (what.keys as (...p: unknown[]) => readonly string[])(...params);
    if (keys.length === 0) return [`${what.name}: names no keys`];
    const slots = [...new Set(keys.map(hashSlot))];
    return slots.length === 1 ? [] : [`${what.name} with ${JSON.stringify(params)}: ${keys.map((k) => `${k} (slot ${hashSlot(k)})`).join(", ")}`];
  });
}

describe("Redis scripts and multi-key commands on a cluster", () => {
  it("finds a script whose keys span slots", () => {
    const bad = defineScript({ name: "bad", lua: "return 1", keys: (host: string) => [KEYS.hostAlerts(host), KEYS.latestResult(host)], examples: [["web-1"]] });
    expect(slotProblems(bad)).toEqual([expect.stringContaining("bad with")]);
    const forgotTag = defineScript({ name: "no tag", lua: "return 1", keys: (host: string) => [`fleetwatch:x:${host}`, KEYS.activeHosts], examples: [["web-1"]] });
    expect(slotProblems(forgotTag)).toHaveLength(1);
  });

  it.each(REDIS_SCRIPTS.map((s) => [s.name, s] as const))("script %s touches keys of one slot", (_name, script) => {
    expect(slotProblems(script)).toEqual([]);
  });

  it.each(REDIS_KEY_GROUPS.map((g) => [g.name, g] as const))("multi-key command %s touches keys of one slot", (_name, group) => {
    expect(slotProblems(group)).toEqual([]);
  });

  it("lists every script and key group the sources define, each name once", () => {
    const defined = (call: string) => sources().flatMap(({ text }) => [...text.matchAll(new RegExp(`${call}\\(\\{\\s*name: "([^"]+)"`, "g"))].map((m) => m[1]!));
    const scripts = REDIS_SCRIPTS.map((s) => s.name);
    const groups = REDIS_KEY_GROUPS.map((g) => g.name);
    expect(new Set(scripts).size).toBe(scripts.length);
    expect(new Set(groups).size).toBe(groups.length);
    expect([...scripts].sort()).toEqual(defined("defineScript").sort());
    expect([...groups].sort()).toEqual(defined("defineKeyGroup").sort());
  });

  it("runs Lua only through runScript, and multi-key commands only over a key group", () => {
    const offenders = sources().flatMap(({ file, text }) => {
      const found: string[] = [];
      if (/\.(eval|evalsha|evalRO|defineCommand)\(/.test(text) && !file.endsWith("pipeline/redis-script.ts")) found.push(`${file}: EVAL outside runScript (use defineScript)`);
      if (/redis\.(multi|pipeline|mget|mset)\(/i.test(text) && !/defineKeyGroup\(/.test(text)) found.push(`${file}: a multi-key command without a key group (use defineKeyGroup)`);
      if (/redis\.(keys|scan|scanStream|flushall|flushdb|dbsize|time)\(/i.test(text)) found.push(`${file}: a command that sees one node of a cluster (or a clock other than the script's)`);
      return found;
    });
    expect(offenders).toEqual([]);
  });
});
