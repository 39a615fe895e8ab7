import { execFile } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, readlinkSync, renameSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

const run = promisify(execFile);
const ROOT = fileURLToPath(new URL("..", import.meta.url));
const BINS: Record<string, string> = {
  fleetwatch: "apps/cli",
  "fleetwatch-pipeline": "apps/cli",
  "fleetwatch-scheduler": "apps/scheduler",
  "fleetwatch-worker": "apps/worker",
  "fleetwatch-notifier": "apps/notifier",
  "fleetwatch-dashboard": "apps/dashboard",
};

const npx = (...args: string[]) => run("npx", args, { cwd: ROOT, timeout: 60_000 });

describe("npx bins from the repository root", () => {
  it("links every binary to a committed launcher with its exec bit, as a fresh clone gets it", async () => {
    const rootPkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { dependencies?: Record<string, string> };
    const { stdout } = await run("git", ["ls-files", "-s", "--", "apps/*/bin/*.js"], { cwd: ROOT });
    const modes = new Map(stdout.trim().split("\n").map((line) => [line.split("\t")[1]!, line.split(" ")[0]!]));
    for (const [bin, dir] of Object.entries(BINS)) {
      const pkg = JSON.parse(readFileSync(join(ROOT, dir, "package.json"), "utf8")) as { name: string; bin: Record<string, string> };
      // npm links a workspace's bins into the root's node_modules/.bin only when the root depends on it.
      expect(rootPkg.dependencies?.[pkg.name], `root package.json depends on ${pkg.name}`).toBe("*");
      expect(pkg.bin[bin]).toBe(`./bin/${bin}.js`);
      expect(modes.get(`${dir}/bin/${bin}.js`), `${dir}/bin/${bin}.js is committed executable`).toBe("100755");
      expect(readlinkSync(join(ROOT, "node_modules/.bin", bin))).toContain(`/bin/${bin}.js`);
    }
  });

  it("runs `npx fleetwatch --version` after building twice, the second build replayed from turbo's cache", async () => {
    await npx("turbo", "run", "build", "--filter=@fleetwatch/cli", "--output-logs=errors-only");
    const dist = join(ROOT, "apps/cli/dist");
    const parked = mkdtempSync(join(tmpdir(), "fw-dist-"));
    const aside = join(parked, "dist");
    renameSync(dist, aside);
    try {
      const second = await npx("turbo", "run", "build", "--filter=@fleetwatch/cli");
      expect(second.stdout).toMatch(/@fleetwatch\/cli:build: cache hit/);
      expect(existsSync(join(dist, "bin.js"))).toBe(true);
      const version = await npx("fleetwatch", "--version");
      expect(version.stdout).toMatch(/^fleetwatch \d+\.\d+\.\d+/);
    } finally {
      if (!existsSync(dist)) renameSync(aside, dist);
      rmSync(parked, { recursive: true, force: true });
    }
  });

  it("answers --help on the fleetwatch binary", async () => {
    const { stdout } = await npx("fleetwatch", "--help");
    expect(stdout).toContain("fleetwatch check -c FILE");
  });
});
