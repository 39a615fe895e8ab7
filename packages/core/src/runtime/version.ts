import { readFileSync } from "node:fs";

let cached: string | undefined;

/** fleetwatch's version: the one in packages/core/package.json, which every part shares. */
export function fleetwatchVersion(): string {
  if (cached) return cached;
  try {
    const text = readFileSync(new URL("../../package.json", import.meta.url), "utf8");
    cached = (JSON.parse(text) as { version?: string }).version ?? "unknown";
  } catch {
    cached = "unknown";
  }
  return cached;
}
