import { tmpdir } from "node:os";
import { join } from "node:path";
import { defineConfig } from "vitest/config";
import root from "../../vitest.config.js";

// Workers inherit these: each scenario appends its counters to the file, and the global teardown reads it.
if (!process.env.FAULTS_RESULTS) {
  // A scratch file of this run's: the global teardown removes it.
  process.env.FAULTS_RESULTS = join(tmpdir(), `fleetwatch-faults-${process.pid}.jsonl`);
  process.env.FAULTS_RESULTS_SCRATCH = "1";
}
process.env.FAULTS_FULL = "1";

/** The full fault suite, `npm run test:faults` (which also writes docs/reliability.md). Files run one at a time, as in the root config. */
export default defineConfig({
  ...root,
  test: {
    ...root.test,
    include: ["test/faults/**/*.test.ts"],
    globalSetup: ["test/faults/global-setup.ts"],
    testTimeout: 180_000,
  },
});
