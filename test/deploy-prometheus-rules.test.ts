import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { parse } from "yaml";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const rules = parse(readFileSync(join(ROOT, "deploy/prometheus/fleetwatch-rules.yml"), "utf8")) as {
  groups: { name: string; rules: { alert: string; expr: string; for?: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[];
};

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sources(path);
    return name.endsWith(".ts") && !name.endsWith(".test.ts") ? [path] : [];
  });
}

/** Metric names core registers with prom-client (`name: "fleetwatch_…"`). */
const metricsInCore = new Set(sources(join(ROOT, "packages/core/src")).flatMap((file) => [...readFileSync(file, "utf8").matchAll(/name:\s*"(fleetwatch_[a-z_]+)"/g)].map(([, n]) => n!)));

describe("deploy/prometheus/fleetwatch-rules.yml", () => {
  const all = rules.groups.flatMap((g) => g.rules);

  it("is a rules file whose every rule has a name, an expression, a severity and a summary", () => {
    expect(all.length).toBeGreaterThan(0);
    for (const rule of all) {
      expect(rule.alert).toMatch(/^[A-Z][A-Za-z]+$/);
      expect(rule.expr.length).toBeGreaterThan(0);
      expect(["warning", "critical"]).toContain(rule.labels?.severity);
      expect(rule.annotations?.summary).toBeTruthy();
    }
  });

  it("watches the last-check and last-dispatch times", () => {
    const exprs = all.map((r) => r.expr).join("\n");
    expect(exprs).toContain("fleetwatch_last_check_timestamp_seconds");
    expect(exprs).toContain("fleetwatch_last_dispatch_timestamp_seconds");
  });

  it("uses only metrics the apps export", () => {
    for (const rule of all) {
      for (const [metric] of rule.expr.matchAll(/fleetwatch_[a-z_]+/g)) expect(metricsInCore, `${rule.alert}: ${metric}`).toContain(metric);
    }
  });
});
