import { spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SCRIPT = fileURLToPath(new URL("../scripts/system-packages.mjs", import.meta.url));
const run = (purpose: string, env: NodeJS.ProcessEnv) => spawnSync(process.execPath, [SCRIPT, purpose], { env, encoding: "utf8" });

describe("scripts/system-packages.mjs (run first by npm run demo and npm test)", () => {
  it("names the missing packages and stops when it cannot install them (no apt-get on PATH)", () => {
    const { status, stderr, stdout } = run("test", { PATH: "/nonexistent" });
    expect(stderr).toContain("npm run test needs these system packages:");
    expect(stderr).toMatch(/openssh-client.*redis-server/);
    expect(stderr).toMatch(/apt-get install [a-z -]*redis-server/);
    expect(stdout).toBe("");
    expect(status).toBe(1);
  });

  it("says nothing and succeeds when everything is there (npm test installed it first)", () => {
    const { status, stdout, stderr } = run("demo", { PATH: process.env.PATH });
    expect(stdout + stderr).toBe("");
    expect(status).toBe(0);
  });

  it("refuses an unknown purpose", () => {
    expect(run("deploy", { PATH: process.env.PATH }).status).toBe(64);
  });
});
