#!/usr/bin/env node
// Committed launcher for the built program: it keeps its exec bit through git, npm and
// turbo's cache (tsc output has none), and says what to do when nothing is built yet.
import { existsSync } from "node:fs";

const entry = new URL("../dist/main.js", import.meta.url);
if (!existsSync(entry)) {
  process.stderr.write("fleetwatch-dashboard: not built yet; run `npm run build` at the repository root first\n");
  process.exit(3);
}
await import(entry.href);
