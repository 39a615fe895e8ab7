import type { ResolvedHost } from "../config/resolved-host.js";
import type { CheckResult } from "../result/check-result.js";
import { boundedMap } from "../util/bounded-map.js";
import type { CheckHostOptions } from "./check-host.js";
import { checkHost } from "./check-host.js";

export interface SweepOptions extends CheckHostOptions {
  /** Checks in flight at once. @defaultValue 50 */
  concurrency?: number;
  /** Called as each host finishes, for progress display. */
  onResult?: (result: CheckResult, done: number, total: number) => void;
  /** Aborted: start no more checks; those in flight finish within their deadlines. */
  signal?: AbortSignal;
}

/**
 * Checks every host with bounded concurrency. A slow or broken host holds one slot until its
 * own deadlines pass, so a sweep takes about hosts / concurrency × one check. An aborted
 * sweep returns the results of the hosts it got to.
 */
export function runSweep(hosts: readonly ResolvedHost[], options: SweepOptions = {}): Promise<CheckResult[]> {
  const { concurrency = 50, onResult, signal, ...checkOptions } = options;
  return boundedMap(
    hosts,
    concurrency,
    (host) => checkHost(host, checkOptions),
    (result, done) => onResult?.(result, done, hosts.length),
    signal,
  );
}
