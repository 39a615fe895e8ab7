import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { CHECK_SHARD_COUNT, checkQueueName, QUEUES } from "@fleetwatch/core";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const doc = readFileSync(join(ROOT, "docs/architecture.md"), "utf8");

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === "fixtures" ? [] : sources(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [path] : [];
  });
}

/**
 * Every Redis key written in core's source, as a pattern: `${…}` parts (a host, a robot, a
 * queue) match any name the page writes in their place (HOST, ROBOT, QUEUE).
 */
function keysInCore(): { key: string; pattern: RegExp }[] {
  const found = new Map<string, RegExp>();
  for (const file of sources(join(ROOT, "packages/core/src"))) {
    for (const [, key] of readFileSync(file, "utf8").matchAll(/["`](fleetwatch:[^"`\s]*)["`]/g)) {
      const parts = key!.split(/\$\{[^}]*\}/).map((p) => p.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"));
      found.set(key!, new RegExp(parts.join("[A-Za-z][\\w-]*")));
    }
  }
  return [...found].map(([key, pattern]) => ({ key, pattern }));
}

describe("docs/architecture.md", () => {
  it("finds Redis keys in core to check (the scan works)", () => {
    expect(keysInCore().length).toBeGreaterThan(10);
  });

  it.each(keysInCore().map((k) => [k.key, k.pattern] as const))("names the Redis key %s", (_key, pattern) => {
    expect(doc).toMatch(pattern);
  });

  it.each(Object.values(QUEUES))("names the queue %s", (queue) => {
    expect(doc).toContain(`\`${queue}\``);
  });

  it("names the check shard queues, from the first to the last", () => {
    expect(doc).toContain(`\`${checkQueueName(0)}\` … \`${checkQueueName(CHECK_SHARD_COUNT - 1)}\``);
  });

  it("names the per-robot notification queues", () => {
    expect(doc).toContain("`notify-ROBOT`");
  });
});
