import type { ResolvedHost } from "@fleetwatch/core";
import { checkHost, parseFleetConfig, SshConnectionPool } from "@fleetwatch/core";
import { SimulatedFleet } from "@fleetwatch/testkit";
import { benchArgs, machine } from "./bench-args.js";
import { fixed, printTable } from "./print-table.js";
import { processOpenFiles } from "./proc-stat.js";

const gc = (globalThis as { gc?: () => void }).gc;

async function eachLimited<T>(items: readonly T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  }));
}

function settle(): { rss: number; heap: number; external: number } {
  gc?.();
  gc?.();
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed, external: m.external + m.arrayBuffers };
}

/**
 * `npm run bench:pool [-- --quick] [-- --json]`: what a kept SSH connection costs a worker.
 * Opens one pooled connection to each host of a simulated fleet (healthy hosts only), then
 * measures this process's memory and open files against the same process before.
 */
async function main(): Promise<void> {
  const args = benchArgs({ hosts: {} });
  const sizes = (args.values.hosts ?? (args.quick ? "500,1500" : "1000,4000,8000")).split(",").map(Number);
  const rows = [];
  for (const size of sizes) {
    const fleet = await SimulatedFleet.start({ hosts: size, brokenEvery: 0, probeMs: 5 });
    const pool = new SshConnectionPool({ idleTimeoutMs: 3_600_000, maxConnections: 18_000 });
    try {
      const yaml = [
        "defaults:",
        `  ssh: { user: monitor, key: ${fleet.clientKeyPath}, knownHosts: ${fleet.knownHostsPath}, connectTimeout: 10s, handshakeTimeout: 30s, commandTimeout: 30s }`,
        "hosts:",
        ...fleet.hosts.map((h) => `  - { name: ${h.name}, address: ${h.address}, port: ${h.port} }`),
      ].join("\n");
      const loaded = parseFleetConfig(yaml, "pool.yaml");
      if (!loaded.ok) throw new Error(JSON.stringify(loaded.error));
      const hosts: ResolvedHost[] = loaded.value.hosts;
      // One check first: key parsing, known_hosts and code paths warm, before the baseline.
      await checkHost(hosts[0]!, {});
      const before = settle();
      const filesBefore = processOpenFiles(process.pid);
      let ok = 0;
      const started = performance.now();
      const cpu0 = process.cpuUsage();
      await eachLimited(hosts, 100, async (host) => {
        if ((await checkHost(host, { pool })).outcome === "ok") ok += 1;
      });
      const cpu1 = process.cpuUsage(cpu0);
      const loginMs = (cpu1.user + cpu1.system) / 1000 / size;
      const after = settle();
      const open = pool.stats().open;
      const files = processOpenFiles(process.pid) - filesBefore;
      rows.push({
        connections: open,
        ok,
        seconds: (performance.now() - started) / 1000,
        loginCpuMs: loginMs,
        rssKiBPerConnection: (after.rss - before.rss) / 1024 / open,
        heapKiBPerConnection: (after.heap - before.heap) / 1024 / open,
        externalKiBPerConnection: (after.external - before.external) / 1024 / open,
        filesPerConnection: files / open,
        rssMiB: after.rss / 2 ** 20,
      });
    } finally {
      pool.close();
      await fleet.close();
    }
  }
  if (args.json) {
    console.log(JSON.stringify({ benchmark: "pool-footprint", gcExposed: gc !== undefined, machine: await machine(), rows }, null, 2));
    return;
  }
  console.log(`\nkept SSH connections in one process (heap figures after a full GC${gc ? "" : " — run with node --expose-gc for them"})\n`);
  printTable(rows, [
    { heading: "connections", value: (r) => r.connections },
    { heading: "login CPU ms (first check)", value: (r) => fixed(r.loginCpuMs, 2) },
    { heading: "RSS KiB/conn", value: (r) => fixed(r.rssKiBPerConnection, 0) },
    { heading: "JS heap KiB/conn", value: (r) => fixed(r.heapKiBPerConnection, 0) },
    { heading: "buffers KiB/conn", value: (r) => fixed(r.externalKiBPerConnection, 0) },
    { heading: "fds/conn", value: (r) => fixed(r.filesPerConnection, 2) },
    { heading: "process RSS MiB", value: (r) => fixed(r.rssMiB, 0) },
  ]);
  console.log(`\nmachine: ${JSON.stringify(await machine())}`);
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
