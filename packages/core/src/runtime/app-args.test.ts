import { describe, expect, it } from "vitest";
import { parseAppArgs } from "./app-args.js";
import { fleetwatchVersion } from "./version.js";

const APPS = ["fleetwatch-scheduler", "fleetwatch-worker", "fleetwatch-notifier", "fleetwatch-pipeline"];

describe("a pipeline app's command line", () => {
  it("answers --version and --help without a config or REDIS_URL", () => {
    expect(fleetwatchVersion()).toMatch(/^\d+\.\d+\.\d+/);
    for (const app of APPS) {
      expect(parseAppArgs(app, ["--version"], {})).toEqual({ ok: true, value: { print: `${app} ${fleetwatchVersion()}\n` } });
      expect(parseAppArgs(app, ["-V"], {})).toEqual({ ok: true, value: { print: `${app} ${fleetwatchVersion()}\n` } });
      const help = parseAppArgs(app, ["--help"], {});
      expect(help.ok && "print" in help.value && help.value.print).toContain(`usage: ${app} --config FILE`);
      expect(help.ok && "print" in help.value && help.value.print).toMatch(/REDIS_URL[\s\S]*HTTP_PORT[\s\S]*SIGTERM/);
    }
  });

  it("needs --config and a valid REDIS_URL, and says so", () => {
    expect(parseAppArgs("fleetwatch-worker", [], { REDIS_URL: "redis://r" })).toEqual({ ok: false, error: expect.stringContaining("--config FILE is required") });
    expect(parseAppArgs("fleetwatch-worker", ["-c", "f.yaml"], {})).toEqual({ ok: false, error: expect.stringContaining("REDIS_URL is not set") });
    expect(parseAppArgs("fleetwatch-worker", ["-c", "f.yaml"], { REDIS_URL: "redis//x" })).toEqual({ ok: false, error: expect.stringMatching(/^fleetwatch-worker: REDIS_URL is not valid/) });
    expect(parseAppArgs("fleetwatch-worker", ["--bogus"], {})).toEqual({ ok: false, error: expect.stringContaining("Unknown option '--bogus'") });
    expect(parseAppArgs("fleetwatch-worker", ["-c", "f.yaml"], { REDIS_URL: "redis://:pw@r:6380" })).toMatchObject({
      ok: true,
      value: { config: "f.yaml", redis: { display: "redis://r:6380", password: "pw" } },
    });
  });
});
