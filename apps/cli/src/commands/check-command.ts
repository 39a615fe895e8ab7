import type { CheckResult } from "@fleetwatch/core";
import { CHECK_RESULT_VERSION, formatIssues, globMatcher, loadFleetConfig, NAGIOS_EXIT, runSweep } from "@fleetwatch/core";
import type { CliIo } from "../cli-io.js";
import { EXIT } from "../cli-io.js";

import { colourEnabled } from "../render/colour.js";
import { progressReporter } from "../render/progress-line.js";
import { renderResultsTable } from "../render/results-table.js";
import { renderSummary, summarise } from "../render/sweep-summary.js";
import { notifyOnce } from "../notify/one-shot-notify.js";
import { readStateFile, writeStateFile } from "../notify/state-file.js";

export interface CheckOptions {
  config: string;
  concurrency: number;
  json: boolean;
  host?: string;
  /** Send DingTalk messages for changes, keeping alert state in `state`. */
  notify?: { state: string };
}

/** `fleetwatch check`: one sweep in-process, no Redis; exit code as a Nagios plugin. */
export async function checkCommand(options: CheckOptions, io: CliIo): Promise<number> {
  const loaded = loadFleetConfig(options.config, { resolveSecrets: true });
  if (!loaded.ok) {
    io.stderr.write(`${formatIssues(options.config, loaded.error)}\nfleetwatch: cannot use this config; fix it and run again (fleetwatch config validate ${options.config})\n`);
    return EXIT.unknown;
  }
  let hosts = loaded.value.hosts;
  if (options.notify && (loaded.value.config.notify?.dingtalk ?? []).length === 0) {
    io.stderr.write(`fleetwatch: --notify needs at least one robot under notify.dingtalk in ${options.config}\n`);
    return EXIT.unknown;
  }
  if (options.notify && options.host !== undefined) {
    io.stderr.write("fleetwatch: --notify checks the whole fleet; it cannot be combined with --host\n");
    return EXIT.usage;
  }
  const state = options.notify ? readStateFile(options.notify.state) : undefined;
  if (state && !state.ok) {
    io.stderr.write(`fleetwatch: ${state.reason}\n`);
    return EXIT.unknown;
  }
  if (options.host !== undefined) {
    const match = globMatcher(options.host);
    hosts = hosts.filter((host) => match(host.name));
    if (hosts.length === 0) {
      io.stderr.write(`fleetwatch: no host in ${options.config} matches --host ${options.host}\n`);
      return EXIT.unknown;
    }
  }
  const unverified = hosts.filter((host) => host.ssh.hostKeyPolicy === "off");
  if (unverified.length > 0) {
    const names = unverified.slice(0, 5).map((h) => h.name).join(", ");
    io.stderr.write(
      `WARNING: hostKeyPolicy off — host keys are NOT verified for ${unverified.length} host(s) (${names}${unverified.length > 5 ? ", …" : ""}); anyone in the path can impersonate them. Use strict or tofu.\n`,
    );
  }

  const progress = progressReporter(io.stderr);
  const started = performance.now();
  const results: CheckResult[] = await runSweep(hosts, {
    concurrency: options.concurrency,
    configVersion: loaded.value.version,
    onResult: (result, done, total) => progress.update(result, done, total),
  });
  progress.clear();
  const summary = summarise(results, Math.round(performance.now() - started), options.concurrency);
  if (options.notify && state?.ok) {
    const outcome = await notifyOnce(loaded.value, results, state.state, Date.now());
    writeStateFile(options.notify.state, state.state);
    for (const failure of outcome.failed) io.stderr.write(`fleetwatch: could not notify robot ${failure.robot}: ${failure.reason} (will try again next run)\n`);
    if (outcome.sent > 0) io.stderr.write(`fleetwatch: sent ${outcome.sent} DingTalk message(s)\n`);
  }

  if (options.json) {
    io.stdout.write(`${JSON.stringify({ version: CHECK_RESULT_VERSION, hosts: results, summary }, null, 2)}\n`);
  } else {
    io.stdout.write(`${renderResultsTable(results, colourEnabled(io.stdout))}\n\n${renderSummary(summary)}\n`);
  }
  return NAGIOS_EXIT[summary.state];
}
