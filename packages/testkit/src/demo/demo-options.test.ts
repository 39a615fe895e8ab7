import { describe, expect, it } from "vitest";
import { parseDemoOptions } from "./demo-options.js";

describe("demo options", () => {
  it("reads --keep, --short and --in-process-ssh", () => {
    expect(parseDemoOptions(["--keep", "--short", "--in-process-ssh"], {})).toEqual({ ok: true, options: { keep: true, short: true, inProcessSsh: true } });
    expect(parseDemoOptions([], {})).toEqual({ ok: true, options: { keep: false, short: false, inProcessSsh: false } });
  });

  it("takes in-process SSH hosts from FLEETWATCH_DEMO_SSH=in-process", () => {
    expect(parseDemoOptions([], { FLEETWATCH_DEMO_SSH: "in-process" })).toMatchObject({ ok: true, options: { inProcessSsh: true } });
  });

  it("refuses an unknown option, naming it", () => {
    expect(parseDemoOptions(["--kep"], {})).toEqual({ ok: false, error: "unknown option --kep" });
  });

  it("answers --help with the usage and no error", () => {
    expect(parseDemoOptions(["--help"], {})).toEqual({ ok: false });
  });
});
