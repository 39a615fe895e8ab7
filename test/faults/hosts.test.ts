import { afterAll, beforeAll, describe, expect } from "vitest";
import type { CheckResult } from "@fleetwatch/core";
import { checkHost, CLOSED_BEFORE_BANNER, SshConnectionPool } from "@fleetwatch/core";
import type { HostBehaviour, LabHost } from "@fleetwatch/testkit";
import { freePort, Lab, startResettingListener, TcpProxy } from "@fleetwatch/testkit";
import { activeHandles, DEADLINE_MS, expectResourcesBack, hostFor, openFds, resourcesNote, settledResources, tally } from "./host-check-helpers.js";
import { FULL, scenario } from "./scenario.js";

let lab: Lab;
let knownHosts: string;
const hosts = new Map<string, LabHost>();
let busy: LabHost[] = [];

const SSHD_BEHAVIOURS: HostBehaviour[] = ["hang", "flood", "partial-hang", "killed"];

beforeAll(async () => {
  lab = await Lab.create();
  for (const behaviour of SSHD_BEHAVIOURS) hosts.set(behaviour, (await lab.startHosts({ behaviour }))[0]!);
  hosts.set("healthy", (await lab.startHosts({ behaviour: "healthy" }))[0]!);
  // One sshd that refuses handshakes past two at a time, as a busy real host does.
  busy = await lab.startHosts({ count: 4, maxStartups: "2:100:2" });
  hosts.set("silent", await lab.startSilentHost());
  const address = "127.0.0.1";
  const port = await freePort();
  const resetting = await startResettingListener(address, port);
  closers.push(() => resetting.close());
  hosts.set("resetting", { address, port, kind: "silent", behaviour: "healthy", hostKeys: [] });
  knownHosts = await lab.writeKnownHosts("known_hosts", [...[...SSHD_BEHAVIOURS, "healthy"].map((b) => hosts.get(b)!), ...busy]);
}, 180_000);
const closers: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const close of closers) await close();
  await lab?.close();
});

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
      const target = hostFor(lab, knownHosts, hosts.get(c.host)!);
      await checkHost(target); // warm up: key cache, module state
      const before = { fds: openFds(), handles: activeHandles() };
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
      const settled = await settledResources(before);
      const right = outcomes.filter((o) => c.outcomes.includes(o as CheckResult["outcome"])).length;
      const wrong = [...new Set(outcomes.filter((o) => !c.outcomes.includes(o as CheckResult["outcome"])))];
      expect(wrong, "outcomes other than expected").toEqual([]);
      expect(late, `checks past the ${DEADLINE_MS} ms deadline (slowest ${slowest} ms)`).toBe(0);
      expectResourcesBack(before, settled);
      return {
        expected: CHECKS,
        delivered: right,
        lost: CHECKS - right + late,
        duplicated: 0,
        allowedDuplicates: 0,
        notes: `${tally(outcomes)}; slowest ${(slowest / 1000).toFixed(1)} s (deadline ${DEADLINE_MS / 1000} s); ${resourcesNote(before, settled)}`,
      };
    });
  }
});

/** A proxy in front of the healthy host, at an address of its own, with a known_hosts naming it. */
async function proxiedHealthyHost(): Promise<{ proxy: TcpProxy; host: ReturnType<typeof hostFor> }> {
  const healthy = hosts.get("healthy")!;
  const proxy = await TcpProxy.start(healthy.address.replace(/\.\d+$/, ".240"), healthy);
  const via = { ...healthy, address: proxy.address, port: proxy.port };
  const proxyKnownHosts = await lab.writeKnownHosts(`known_hosts_proxy_${proxy.port}`, [via]);
  return { proxy, host: hostFor(lab, proxyKnownHosts, via) };
}

describe("kept connections misbehaving (the worker's pool): each check ends within its deadline, and nothing leaks", () => {
  scenario(import.meta.url, "hosts", "a reused connection gone half-open (no FIN, no RST): the pool replaces it", { timeoutMs: 300_000 }, async () => {
    const rounds = FULL ? 40 : 3;
    const before = { fds: openFds(), handles: activeHandles() };
    const { proxy, host } = await proxiedHealthyHost();
    const pool = new SshConnectionPool();
    const outcomes: string[] = [];
    let slowest = 0;
    let late = 0;
    let notReplaced = 0;
    try {
      for (let round = 0; round < rounds; round++) {
        const used = await checkHost(host, { pool }); // the connection is established and used
        outcomes.push(used.outcome);
        proxy.freeze(); // then it stops forwarding and reading, and stays open
        const started = Date.now();
        const next = await checkHost(host, { pool });
        const took = Date.now() - started;
        slowest = Math.max(slowest, took);
        if (took > DEADLINE_MS) late++;
        if (!(next.retried && next.reused === false)) notReplaced++;
        outcomes.push(next.outcome);
      }
    } finally {
      pool.close();
      await proxy.close();
    }
    const stats = pool.stats();
    const settled = await settledResources(before);
    const ok = outcomes.filter((o) => o === "ok").length;
    expect(tally(outcomes)).toBe(`${rounds * 2} ok`);
    expect(late, `checks past the ${DEADLINE_MS} ms deadline (slowest ${slowest} ms)`).toBe(0);
    expect(notReplaced, "checks that did not move to a fresh connection").toBe(0);
    expect(stats.replaced).toBe(rounds);
    expectResourcesBack(before, settled);
    return {
      expected: rounds * 2,
      delivered: ok,
      lost: rounds * 2 - ok + late,
      duplicated: 0,
      allowedDuplicates: 0,
      notes: `${rounds} freezes: ${tally(outcomes)}; ${stats.replaced} connections replaced, ${stats.logins} logins; slowest after a freeze ${(slowest / 1000).toFixed(1)} s (deadline ${DEADLINE_MS / 1000} s); ${resourcesNote(before, settled)}`,
    };
  });

  scenario(import.meta.url, "hosts", "1,000 checks of every misbehaving kind through one pool: each within its deadline, no socket, channel or timer left", { timeoutMs: 600_000 }, async () => {
    const total = FULL ? 1_008 : 48;
    const BATCH = 16;
    const before = { fds: openFds(), handles: activeHandles() };
    const { proxy, host: halfOpen } = await proxiedHealthyHost();
    const kinds: { name: string; host: ReturnType<typeof hostFor>; outcomes: string[] }[] = [
      ...CASES.map((c) => ({ name: c.host, host: hostFor(lab, knownHosts, hosts.get(c.host)!), outcomes: c.outcomes as string[] })),
      { name: "half-open", host: halfOpen, outcomes: ["ok"] },
      { name: "MaxStartups", host: hostFor(lab, knownHosts, busy[0]!), outcomes: ["ok"] },
    ];
    const pool = new SshConnectionPool();
    const wrong: string[] = [];
    const outcomes: string[] = [];
    let slowest = 0;
    let late = 0;
    let stats = pool.stats();
    try {
      for (let done = 0; done < total; done += BATCH) {
        proxy.freeze(); // the half-open host's kept connection stops carrying bytes before each batch
        await Promise.all(
          Array.from({ length: Math.min(BATCH, total - done) }, async (_, i) => {
            const kind = kinds[(done + i) % kinds.length]!;
            const started = Date.now();
            const result = await checkHost(kind.host, { pool });
            const took = Date.now() - started;
            slowest = Math.max(slowest, took);
            if (took > DEADLINE_MS) late++;
            outcomes.push(result.outcome);
            if (!kind.outcomes.includes(result.outcome)) wrong.push(`${kind.name}: ${result.outcome} (${result.reason})`);
          }),
        );
      }
    } finally {
      stats = pool.stats();
      pool.close();
      await proxy.close();
    }
    const settled = await settledResources(before);
    expect([...new Set(wrong)], "outcomes other than expected").toEqual([]);
    expect(late, `checks past the ${DEADLINE_MS} ms deadline (slowest ${slowest} ms)`).toBe(0);
    expect(stats.busy, "channels still open on kept connections").toBe(0);
    expectResourcesBack(before, settled);
    return {
      expected: total,
      delivered: total - wrong.length - late,
      lost: wrong.length + late,
      duplicated: 0,
      allowedDuplicates: 0,
      notes: `${tally(outcomes)}; ${stats.logins} logins, ${stats.replaced} replaced, ${stats.busy} channels busy at the end; slowest ${(slowest / 1000).toFixed(1)} s (deadline ${DEADLINE_MS / 1000} s); ${resourcesNote(before, settled)}`,
    };
  });

  scenario(import.meta.url, "hosts", "sshd at MaxStartups (2:100:2) under a burst of concurrent checks", { timeoutMs: 300_000 }, async () => {
    const burst = FULL ? 64 : 16;
    const before = { fds: openFds(), handles: activeHandles() };
    const pool = new SshConnectionPool();
    const outcomes: string[] = [];
    const wrong: string[] = [];
    let slowest = 0;
    let late = 0;
    // Half through the worker's pool (one connection per host), half as `fleetwatch check` does (one each).
    await Promise.all(
      Array.from({ length: burst }, async (_, i) => {
        const started = Date.now();
        const result = await checkHost(hostFor(lab, knownHosts, busy[i % busy.length]!), i % 2 === 0 ? { pool } : {});
        const took = Date.now() - started;
        slowest = Math.max(slowest, took);
        if (took > DEADLINE_MS) late++;
        outcomes.push(result.outcome);
        // Retried while the deadline leaves room; a check sshd still refuses then says so (never unreachable, never a failed probe).
        if (result.outcome !== "ok" && !(result.outcome === "ssh_timeout" && result.reason === CLOSED_BEFORE_BANNER)) wrong.push(`${result.outcome}: ${result.reason}`);
      }),
    );
    pool.close();
    const settled = await settledResources(before);
    const ok = outcomes.filter((o) => o === "ok").length;
    expect([...new Set(wrong)], "outcomes other than ok or a refusal past the deadline").toEqual([]);
    expect(late, `checks past the ${DEADLINE_MS} ms deadline (slowest ${slowest} ms)`).toBe(0);
    expect(ok, "checks that got through the burst").toBeGreaterThanOrEqual(burst / 2);
    expectResourcesBack(before, settled);
    return {
      expected: burst,
      delivered: burst - wrong.length - late,
      lost: wrong.length + late,
      duplicated: 0,
      allowedDuplicates: 0,
      notes: `${tally(outcomes)} (ssh_timeout: sshd still refusing at the check's deadline, said so); slowest ${(slowest / 1000).toFixed(1)} s (deadline ${DEADLINE_MS / 1000} s); ${resourcesNote(before, settled)}`,
    };
  });
});
