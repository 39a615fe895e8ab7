import { hostname } from "node:os";
import type { ResolvedHost } from "../config/resolved-host.js";
import { evaluateMetrics } from "../evaluate/evaluate-metrics.js";
import type { CheckItem } from "../evaluate/check-item.js";
import { failureSeverity, hostState, STAGE_CHECK } from "../evaluate/host-state.js";
import type { CpuBaseline } from "../probe/cpu-since-previous.js";
import { cpuSincePrevious } from "../probe/cpu-since-previous.js";
import { parseProbeOutput } from "../probe/parse-probe-output.js";
import type { ProbeMetrics } from "../probe/probe-metrics.js";
import type { ProbeCpuMode } from "../probe/probe-script.js";
import { PROBE_SCRIPT, probeArguments, probeCommand } from "../probe/probe-script.js";
import type { CheckResult } from "../result/check-result.js";
import { CHECK_RESULT_VERSION } from "../result/check-result.js";
import type { Failure } from "../result/outcome.js";
import { hostKeyCheck } from "../ssh/host-key-check.js";
import { hostTrustKey } from "../ssh/host-trust-key.js";
import type { SshConnectionPool } from "../ssh/ssh-connection-pool.js";
import type { HostKeyStore } from "../ssh/host-key-store.js";
import { knownHostsFile } from "../ssh/host-key-store.js";
import { loadPrivateKey } from "../ssh/private-key-cache.js";
import type { SshRunResult, SshTarget } from "../ssh/ssh-target.js";
import { runOverSsh } from "../ssh/ssh-run.js";

export const MAX_PROBE_OUTPUT_BYTES = 4 * 1024 * 1024;

export interface CheckHostOptions {
  /** Where host keys are looked up and pinned; the host's known_hosts file by default. */
  hostKeyStore?: (host: ResolvedHost) => HostKeyStore;
  configVersion?: string;
  /** Names this monitor in a `monitorFault`. @defaultValue the machine's host name */
  monitorName?: string;
  /**
   * Keep the host's connection for the next check (the pipeline's workers). Without a
   * pool, the check opens and closes a connection of its own (`fleetwatch check`).
   */
  pool?: SshConnectionPool;
  /** With a pool: close the host's connection after this long unused. */
  idleTimeoutMs?: number;
  /**
   * The pipeline: the counters the host's previous check left (read while the probe runs).
   * The probe then reads `/proc/stat` once, without a pause, and CPU is the share since
   * those counters (unmeasured when there are none, or the host rebooted). Without it, the
   * probe takes a short sample (`fleetwatch check`).
   */
  previousCpu?: Promise<CpuBaseline | undefined>;
}

/** The SSH settings a kept connection depends on: any change makes a new one. */
function sshSettingsKey(host: ResolvedHost): string {
  const { user, port, key, passphrase, knownHosts, hostKeyPolicy } = host.ssh;
  return JSON.stringify([host.address, port, user, key, passphrase ?? null, knownHosts, hostKeyPolicy]);
}

/** Turns what came back over SSH into metrics, or a probe failure with its reason. */
function interpret(run: SshRunResult & { ok: true }, host: ResolvedHost, cpu: ProbeCpuMode): { metrics: ProbeMetrics } | Failure {
  const { stdout, stderr, exitCode, signal } = run.output;
  const parsed = parseProbeOutput(stdout, { processes: host.processes, mounts: host.mounts, cpu });
  if (parsed.ok) return { metrics: parsed.value };
  if (exitCode !== 0) {
    const detail = stderr.trim().split("\n")[0]?.slice(0, 200);
    const status = exitCode === null ? `killed by ${signal ?? "a signal"}` : `exit ${exitCode}`;
    return { outcome: "probe_failed", reason: `the probe failed (${status})${detail ? `: ${detail}` : ""}; ${parsed.error}` };
  }
  return { outcome: "probe_failed", reason: parsed.error };
}

/** One full check of one host: SSH, probe, parse, evaluate. Never throws for a host's fault. */
export async function checkHost(host: ResolvedHost, options: CheckHostOptions = {}): Promise<CheckResult> {
  const startedAt = Date.now();
  const started = performance.now();
  const base = {
    version: CHECK_RESULT_VERSION,
    host: { name: host.name, address: host.address, port: host.ssh.port, ...(host.group ? { group: host.group } : {}) },
    startedAt,
    ...(options.configVersion ? { configVersion: options.configVersion } : {}),
  } as const;
  const done = (
    fields: Pick<CheckResult, "outcome" | "state" | "metrics" | "checks" | "timings" | "retried"> &
      Partial<Pick<CheckResult, "reason" | "monitorFault" | "reused">>,
  ): CheckResult => {
    const finishedAt = Date.now();
    return { ...base, ...fields, finishedAt, durationMs: Math.round(performance.now() - started) };
  };
  const failed = (failure: Failure, timings: CheckResult["timings"], retried: boolean, reused?: boolean): CheckResult => {
    const state = failureSeverity(failure.outcome, failure.monitorFault);
    const check: CheckItem = { name: STAGE_CHECK[failure.outcome], state, message: failure.reason };
    const fault = failure.monitorFault ? { monitorFault: { ...failure.monitorFault, monitor: options.monitorName ?? hostname() } } : {};
    return done({ outcome: failure.outcome, reason: failure.reason, ...fault, state, metrics: null, checks: [check], timings, retried, ...(reused !== undefined ? { reused } : {}) });
  };

  const key = loadPrivateKey(host.ssh.key, host.ssh.passphrase);
  if (!key.ok) return failed({ outcome: "auth_failed", reason: key.error.reason, monitorFault: key.error }, { connectMs: 0, handshakeMs: 0, commandMs: 0 }, false);

  const store = options.hostKeyStore?.(host) ?? knownHostsFile(host.ssh.knownHosts);
  const target: SshTarget = {
    address: host.address,
    port: host.ssh.port,
    user: host.ssh.user,
    key: key.value,
    hostKeyCheck: () => hostKeyCheck(host.ssh.hostKeyPolicy, store, host.address, host.ssh.port),
    connectTimeoutMs: host.ssh.connectTimeoutMs,
    handshakeTimeoutMs: host.ssh.handshakeTimeoutMs,
    commandTimeoutMs: host.ssh.commandTimeoutMs,
    maxOutputBytes: MAX_PROBE_OUTPUT_BYTES,
  };
  const cpuMode: ProbeCpuMode = options.previousCpu ? "counters" : "sample";
  const command = probeCommand(probeArguments(host.mounts, host.processes, cpuMode));
  const run = options.pool
    ? await options.pool.run(
        {
          ...target,
          settingsKey: sshSettingsKey(host),
          trustKey: () => hostTrustKey(host.ssh.hostKeyPolicy, store, host.address, host.ssh.port),
          ...(options.idleTimeoutMs !== undefined ? { idleTimeoutMs: options.idleTimeoutMs } : {}),
        },
        command,
        PROBE_SCRIPT,
      )
    : await runOverSsh(target, command, PROBE_SCRIPT);
  if (!run.ok) return failed(run.failure, run.timings, run.retried, run.reused);
  const interpreted = interpret(run, host, cpuMode);
  if ("outcome" in interpreted) return failed(interpreted, run.timings, run.retried, run.reused);
  const metrics = options.previousCpu ? cpuSincePrevious(interpreted.metrics, await options.previousCpu) : interpreted.metrics;
  const checks = evaluateMetrics(metrics, host.thresholds);
  return done({
    outcome: "ok",
    state: hostState("ok", checks),
    metrics,
    checks,
    timings: run.timings,
    retried: run.retried,
    ...(run.reused !== undefined ? { reused: run.reused } : {}),
  });
}
