import { execFileSync } from "node:child_process";
import { existsSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { cpus, loadavg, release, totalmem } from "node:os";
import { fileURLToPath } from "node:url";
import { renderReliabilityReport } from "./reliability-report.js";
import { parseResults, resultsFile } from "./scenario-results.js";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const git = (...args: string[]) => execFileSync("git", args, { cwd: ROOT, encoding: "utf8" }).trim();

function machine(): string {
  const cpu = cpus();
  const load = loadavg().map((n) => n.toFixed(1)).join(", ");
  return `${cpu.length} × ${cpu[0]?.model ?? "unknown CPU"}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB RAM, Linux ${release()}, Node ${process.version}, load average at the end ${load}`;
}

/** Starts each run with an empty results file; at the end of a full run writes docs/reliability.md from it. */
export function setup(): () => void {
  const file = resultsFile();
  if (file) rmSync(file, { force: true });
  return () => {
    if (!file || !existsSync(file)) return;
    const text = readFileSync(file, "utf8");
    // A results file the run chose itself is scratch: gone once the run is over.
    if (process.env.FAULTS_RESULTS_SCRATCH === "1") rmSync(file, { force: true });
    if (process.env.FAULTS_FULL !== "1") return;
    const results = parseResults(text);
    // Only a run of the whole suite writes the table; a single scenario (-t, or one file) does not.
    if (process.env.FAULTS_WRITE_REPORT !== "1") return;
    const dirty = git("status", "--porcelain", "--untracked-files=no") !== "";
    const report = renderReliabilityReport(results, {
      commit: `${git("rev-parse", "--short=12", "HEAD")}${dirty ? " (with uncommitted changes)" : ""}`,
      date: new Date().toISOString().replace(/\.\d+Z$/, " UTC").replace("T", " "),
      machine: machine(),
      command: "npm run test:faults",
    });
    writeFileSync(`${ROOT}docs/reliability.md`, report);
    console.log(`docs/reliability.md written: ${results.filter((r) => r.held).length} of ${results.length} scenarios held`);
  };
}
