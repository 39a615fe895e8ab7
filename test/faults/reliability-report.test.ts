import { describe, expect, it } from "vitest";
import { renderReliabilityReport } from "./reliability-report.js";
import type { ScenarioResult } from "./scenario-results.js";

const row = (over: Partial<ScenarioResult>): ScenarioResult => ({
  faultClass: "webhook",
  name: "HTTP 502",
  expected: 6,
  delivered: 6,
  lost: 0,
  duplicated: 0,
  allowedDuplicates: 0,
  held: true,
  durationMs: 4_200,
  command: 'npx vitest run --config test/faults/vitest.config.ts test/faults/webhook.test.ts -t "HTTP 502"',
  ...over,
});

describe("docs/reliability.md from the counters", () => {
  it("shows each scenario with held, lost and duplicated, the run's facts and what it does not cover", () => {
    const text = renderReliabilityReport(
      [row({}), row({ name: "slow | answer", duplicated: 1, allowedDuplicates: 1 }), row({ faultClass: "hosts", name: "hang", held: false, lost: 2, failure: "checks past the deadline", knownBug: "#99" })],
      { commit: "abc123", date: "2026-11-29 17:00:00 UTC", machine: "2 × CPU", command: "npm run test:faults" },
    );
    expect(text).toContain("at commit `abc123` on 2026-11-29 17:00:00 UTC");
    expect(text).toContain("Machine: 2 × CPU.");
    expect(text).toContain("**2 of 3 scenarios held**; 2 lost and 1 duplicated in total");
    expect(text).toContain('| HTTP 502 | yes | 6 | 6 | 0 | 0 (0) | 4.2 s |  | `npx vitest run --config test/faults/vitest.config.ts test/faults/webhook.test.ts -t "HTTP 502"` |');
    expect(text).toContain("| slow \\| answer | yes | 6 | 6 | 0 | 1 (1) |");
    expect(text).toContain("| hang | **no** | 6 | 6 | 2 | 0 (0) | 4.2 s | KNOWN BUG: #99; failed: checks past the deadline |");
    expect(text).toContain("## Upgrades (payload versions)\n\nNo scenario yet.");
    expect(text).toContain("## Not yet covered");
  });
});
