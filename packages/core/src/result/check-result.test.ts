import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { resultJobSchema } from "../pipeline/job-schemas.js";
import { CHECK_RESULT_VERSION, checkResultSchema } from "./check-result.js";

const v1Results: unknown[] = JSON.parse(readFileSync(new URL("./fixtures/check-results-v1.json", import.meta.url), "utf8"));

describe("check result versions", () => {
  it("reads results written before monitorFault and container memory (version 1), as they are", () => {
    for (const stored of v1Results) {
      expect(checkResultSchema.parse(stored)).toEqual(stored);
      const job = { kind: "result", slot: 1, slotStart: 0, intervalMs: 60_000, for: 2, result: stored };
      expect(resultJobSchema.parse(job)).toEqual(job);
    }
  });

  it("writes version 3, which carries a monitor fault", () => {
    const failed = v1Results[1] as Record<string, unknown>;
    const current = {
      ...failed,
      version: CHECK_RESULT_VERSION,
      state: "unknown",
      monitorFault: { kind: "private_key", monitor: "worker-3", file: "/etc/fleetwatch/id_ed25519", cause: "ENOENT", reason: "cannot read key file /etc/fleetwatch/id_ed25519 (ENOENT)" },
    };
    expect(CHECK_RESULT_VERSION).toBe(3);
    expect(checkResultSchema.parse(current)).toEqual(current);
  });

  it("refuses a version it does not know, saying which it reads", () => {
    const parsed = checkResultSchema.safeParse({ ...(v1Results[0] as object), version: 4 });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.message).toBe("check result version 4 is not one this fleetwatch reads (1, 2, 3)");
  });

  it("reads a version 3 result whose CPU the pipeline could not measure yet", () => {
    const ok = v1Results[0] as { metrics: { cpu: object } } & Record<string, unknown>;
    const current = { ...ok, version: 3, metrics: { ...ok.metrics, cpu: { usedPercent: null, windowMs: 0, method: "none", unmeasured: "first check of this host", counters: { busy: 1, total: 2, uptimeSeconds: 3 } } } };
    expect(checkResultSchema.parse(current)).toEqual(current);
  });

  it("refuses a monitor fault of a kind it does not know", () => {
    const parsed = checkResultSchema.safeParse({ ...(v1Results[1] as object), version: 2, monitorFault: { kind: "disk", monitor: "w", file: "/x", cause: "EIO", reason: "?" } });
    expect(parsed.success).toBe(false);
  });
});
