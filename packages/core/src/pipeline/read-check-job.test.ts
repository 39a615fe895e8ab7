import { describe, expect, it } from "vitest";
import { parseFleetConfig } from "../config/load-fleet-config.js";
import { CHECK_JOB_VERSION } from "./job-schemas.js";
import { readCheckJob } from "./read-check-job.js";

function host() {
  const loaded = parseFleetConfig("hosts:\n  - { address: 10.0.0.1, ssh: { user: ops, key: /k, knownHosts: /kh } }\n", "t.yaml");
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return loaded.value.hosts[0]!;
}

/** A check job as schedulers before payload versions wrote it. */
const previous = () => ({ host: host(), slot: 7, slotStart: 1_700_000_000_000, configVersion: "abc", generation: 3 });

describe("readCheckJob", () => {
  it("reads a job of the current version as it is", () => {
    const job = { ...previous(), version: CHECK_JOB_VERSION };
    expect(readCheckJob(job)).toEqual({ ok: true, job });
  });

  it("upgrades a job of the previous, unversioned form on read", () => {
    const read = readCheckJob(previous());
    expect(read).toEqual({ ok: true, job: { ...previous(), version: CHECK_JOB_VERSION }, upgradedFrom: 1 });
  });

  it("reads an explicit version 1 as the previous form", () => {
    expect(readCheckJob({ ...previous(), version: 1 })).toMatchObject({ ok: true, upgradedFrom: 1 });
  });

  it("refuses a newer version, saying the worker needs upgrading", () => {
    const read = readCheckJob({ ...previous(), version: 3 });
    expect(read).toMatchObject({ ok: false, refusal: "version" });
    expect(!read.ok && read.reason).toBe(
      "invalid check job: version: check job version 3 is not one this fleetwatch reads (1, 2); the scheduler is newer than this worker: upgrade the worker",
    );
  });

  it.each([0, -1, 2.5, "2", null, {}])("refuses an unknown version %j as a version it does not read", (version) => {
    const read = readCheckJob({ ...previous(), version });
    expect(read).toMatchObject({ ok: false, refusal: "version" });
    expect(!read.ok && read.reason).toContain(`check job version ${JSON.stringify(version)} is not one this fleetwatch reads`);
  });

  it.each([
    ["a string", "garbage", "(data): expected an object, got string"],
    ["null", null, "(data): expected an object, got null"],
    ["an array", [1], "(data): expected an object, got an array"],
    ["a current job without its slot", { ...previous(), version: 2, slot: undefined }, "slot:"],
    ["a previous job with a bad host", { ...previous(), host: { name: "x" } }, "host."],
  ])("refuses %s as malformed, naming the field", (_what, data, words) => {
    const read = readCheckJob(data);
    expect(read).toMatchObject({ ok: false, refusal: "malformed" });
    expect(!read.ok && read.reason).toContain(words);
    expect(!read.ok && read.reason.startsWith("invalid check job: ")).toBe(true);
  });

  it("never throws, whatever it is given", () => {
    for (const data of [undefined, 1, true, Symbol("x"), () => 1, { version: Number.NaN }, Object.create(null)]) expect(() => readCheckJob(data)).not.toThrow();
  });
});
