import { readdirSync } from "node:fs";
import { afterAll, beforeAll, describe, expect } from "vitest";
import type { CheckResult, ResolvedHost } from "@fleetwatch/core";
import { checkHost, parseFleetConfig } from "@fleetwatch/core";
import type { HostBehaviour, LabHost } from "@fleetwatch/testkit";
import { freePort, Lab, startResettingListener, waitFor } from "@fleetwatch/testkit";
import { FULL, scenario } from "./scenario.js";

let lab: Lab;
let knownHosts: string;
const hosts = new Map<string, LabHost>();

const TIMEOUTS = { connectTimeout: "2s", handshakeTimeout: "2s", commandTimeout: "2s" };
/** A check's own deadline: connect, handshake and command, plus a margin for a loaded 2-core machine. */
const DEADLINE_MS = 2_000 * 3 + 4_000;

const SSHD_BEHAVIOURS: HostBehaviour[] = ["hang", "flood", "partial-hang", "killed"];

beforeAll(async () => {
  lab = await Lab.create();
  for (const behaviour of SSHD_BEHAVIOURS) hosts.set(behaviour, (await lab.startHosts({ behaviour }))[0]!);
  hosts.set("silent", await lab.startSilentHost());
  const address = "127.0.0.1";
  const port = await freePort();
  const resetting = await startResettingListener(address, port);
  closers.push(() => resetting.close());
  hosts.set("resetting", { address, port, kind: "silent", behaviour: "healthy", hostKeys: [] });
  knownHosts = await lab.writeKnownHosts("known_hosts", SSHD_BEHAVIOURS.map((b) => hosts.get(b)!));
}, 180_000);
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
  await lab?.close();
});

function hostFor(target: LabHost): ResolvedHost {
  const settings = { user: lab.user.name, key: lab.clientKey.privatePath, knownHosts, ...TIMEOUTS };
  const sshYaml = Object.entries(settings).map(([k, v]) => `${k}: "${v}"`).join(", ");
  const yaml = `defaults: { thresholds: { cpu: {}, load: {} } }\nhosts:\n  - { address: ${target.address}, port: ${target.port}, ssh: { ${sshYaml} } }\n`;
  const loaded = parseFleetConfig(yaml, "faults.yaml");
  if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
  return loaded.value.hosts[0]!;
}

const openFds = () => readdirSync("/proc/self/fd").length;
/** Handles keeping the event loop alive, by kind (sockets, timers, child processes). */
const activeHandles = () => process.getActiveResourcesInfo().filter((kind) => kind !== "TTYWrap").length;

interface HostCase {
  name: string;
  host: string;
  outcomes: CheckResult["outcome"][];
  short?: boolean;
}

const CASES: HostCase[] = [
  { name: "hung after auth (the command never finishes)", host: "hang", outcomes: ["probe_timeout"], short: true },
  { name: "never sending a banner", host: "silent", outcomes: ["ssh_timeout"] },
  { name: "resetting mid-handshake", host: "resetting", outcomes: ["ssh_timeout", "unreachable"] },
  { name: "50 MB of output", host: "flood", outcomes: ["probe_failed"] },
  { name: "partial output, then a hang", host: "partial-hang", outcomes: ["probe_timeout"] },
  { name: "channel closed without an exit status (command killed)", host: "killed", outcomes: ["probe_failed"] },
];

/** Checks per case: the full suite runs many, to show nothing leaks; `npm test` a few. */
const CHECKS = FULL ? 170 : 12; // 6 cases × 170: over 1,000 misbehaving checks in the full suite
const CONCURRENCY = 12;

describe("hosts misbehaving: each check ends within its deadline, and nothing leaks", () => {
  for (const c of CASES) {
    scenario(import.meta.url, "hosts", c.name, { short: c.short ?? false, timeoutMs: 300_000 }, async () => {
      const target = hostFor(hosts.get(c.host)!);
      await checkHost(target); // warm up: key cache, module state
      const fdsBefore = openFds();
      const handlesBefore = activeHandles();
      const outcomes: string[] = [];
      let slowest = 0;
      let late = 0;
      for (let done = 0; done < CHECKS; done += CONCURRENCY) {
        const batch = Array.from({ length: Math.min(CONCURRENCY, CHECKS - done) }, async () => {
          const started = Date.now();
          const result = await checkHost(target);
          const took = Date.now() - started;
          slowest = Math.max(slowest, took);
          if (took > DEADLINE_MS) late++;
          outcomes.push(result.outcome);
        });
        await Promise.all(batch);
      }
      // Sockets and timers close asynchronously; wait for them to go, generously.
      const settled = await waitFor(
        "fds and handles back to where they were",
        () => (openFds() <= fdsBefore + 2 && activeHandles() <= handlesBefore + 2 ? { fds: openFds(), handles: activeHandles() } : undefined),
        60_000,
      ).catch(() => ({ fds: openFds(), handles: activeHandles() }));
      const right = outcomes.filter((o) => c.outcomes.includes(o as CheckResult["outcome"])).length;
      const wrong = [...new Set(outcomes.filter((o) => !c.outcomes.includes(o as CheckResult["outcome"])))];
      expect(wrong, "outcomes other than expected").toEqual([]);
      expect(late, `checks past the ${DEADLINE_MS} ms deadline (slowest ${slowest} ms)`).toBe(0);
      expect(settled.fds, "open fds after the checks").toBeLessThanOrEqual(fdsBefore + 2);
      expect(settled.handles, "active handles after the checks").toBeLessThanOrEqual(handlesBefore + 2);
      return {
        expected: CHECKS,
        delivered: right,
        lost: CHECKS - right + late,
        duplicated: 0,
        allowedDuplicates: 0,
        notes: `${[...new Set(outcomes)].map((o) => `${outcomes.filter((x) => x === o).length} ${o}`).join(", ")}; slowest ${(slowest / 1000).toFixed(1)} s (deadline ${DEADLINE_MS / 1000} s); fds ${fdsBefore}→${settled.fds}, handles ${handlesBefore}→${settled.handles}`,
      };
    });
  }
});
