import { readFileSync } from "node:fs";

/** `fleetwatch 0.1.0 (node v20.19.0)`: the version of the installed package, read at run time. */
export function versionLine(): string {
  const pkg = JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")) as { version?: string };
  return `fleetwatch ${pkg.version ?? "unknown"} (node ${process.version})`;
}
