import type { CheckResult } from "@fleetwatch/core";
import { CHECK_RESULT_VERSION, formatIssues, globMatcher, loadFleetConfig, NAGIOS_EXIT, runSweep, SAME_SIGNAL_WINDOW_MS } from "@fleetwatch/core";
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
  const interrupt = watchInterrupt(io, () => progress.clear());
  let results: CheckResult[];
  try {
    results = await runSweep(hosts, {
      concurrency: options.concurrency,
      configVersion: loaded.value.version,
      onResult: (result, done, total) => progress.update(result, done, total),
      signal: interrupt.signal,
    });
  } finally {
    interrupt.dispose();
  }
  progress.clear();
  const summary = summarise(results, Math.round(performance.now() - started), options.concurrency);
  if (interrupt.signal.aborted) {
    const note = `INTERRUPTED: ${results.length} of ${hosts.length} host(s) checked, the rest not${options.notify ? "; no notification sent" : ""}`;
    if (options.json) {
      io.stdout.write(`${JSON.stringify({ version: CHECK_RESULT_VERSION, interrupted: true, hosts: results, unchecked: hosts.length - results.length, summary }, null, 2)}\n`);
    } else {
      io.stdout.write(`${renderResultsTable(results, colourEnabled(io.stdout))}\n\n${note}\n${renderSummary(summary)}\n`);
    }
    return NAGIOS_EXIT.unknown;
  }
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

/**
 * Ctrl-C (or SIGTERM) during a sweep: start no more checks, let those in flight finish within
 * their deadlines, then report what was checked; a second one quits at once.
 */
function watchInterrupt(io: CliIo, clearProgress: () => void): { signal: AbortSignal; dispose(): void } {
  const controller = new AbortController();
  let firstAt = 0;
  const handler = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) {
      if (Date.now() - firstAt < SAME_SIGNAL_WINDOW_MS) return;
      io.stderr.write(`\nfleetwatch: ${signal} again: quitting without waiting for the checks in flight\n`);
      process.exit(signal === "SIGINT" ? 130 : 143);
    }
    firstAt = Date.now();
    controller.abort();
    clearProgress();
    io.stderr.write(`fleetwatch: ${signal === "SIGINT" ? "interrupted" : signal}: finishing the checks in flight (within their deadlines), starting no more; press Ctrl-C again to quit at once\n`);
  };
  process.on("SIGINT", handler);
  process.on("SIGTERM", handler);
  return {
    signal: controller.signal,
    dispose() {
      process.off("SIGINT", handler);
      process.off("SIGTERM", handler);
    },
  };
}
