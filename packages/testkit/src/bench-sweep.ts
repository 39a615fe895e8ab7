import { spawn } from "node:child_process";
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";
import { writeFleetFile, type FleetFileHost } from "./fleet-file.js";
import { Lab } from "./lab.js";
import { removeLabUser } from "./lab-user.js";

const CLI = fileURLToPath(new URL("../../../apps/cli/dist/bin.js", import.meta.url));

/**
 * `npm run bench:sweep -- --hosts 200 --concurrency 50`: a sweep of many healthy loopback
 * sshd hosts plus one of each kind of broken host, through the real `fleetwatch check`
 * binary. Prints figures; asserts nothing.
 */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { hosts: { type: "string", default: "200" }, concurrency: { type: "string", default: "50" } },
  });
  const count = Number(values.hosts);
  const concurrency = Number(values.concurrency);
  const lab = await Lab.create({ busybox: true });
  try {
    const t0 = performance.now();
    const healthy = await lab.startHosts({ count, noReexec: true });
    const bad = {
      changedKey: (await lab.startHosts({ behaviour: "logged" }))[0]!,
      unauthorized: (await lab.startHosts({ behaviour: "deny-key" }))[0]!,
      hang: (await lab.startHosts({ behaviour: "hang" }))[0]!,
      garbage: (await lab.startHosts({ behaviour: "garbage" }))[0]!,
      busybox: (await lab.startHosts({ behaviour: "busybox" }))[0]!,
      closed: await lab.closedHost(),
      silent: await lab.startSilentHost(),
    };
    const knownHosts = await lab.writeKnownHosts("known_hosts", [...healthy, ...Object.values(bad)], {
      override: new Map([[bad.changedKey.address, [await lab.impostorKey()]]]),
    });
    const hosts: FleetFileHost[] = [
      ...healthy.map((host, i) => ({ name: `node-${String(i + 1).padStart(4, "0")}`, host })),
      ...Object.entries(bad).map(([name, host]) => ({ name: `bad-${name}`, host })),
    ];
    const deadlines = { connect: 2, handshake: 3, command: 5 };
    const fleet = writeFleetFile(lab, "fleet.yaml", knownHosts, hosts, [
      `  connectTimeout: ${deadlines.connect}s`,
      `  handshakeTimeout: ${deadlines.handshake}s`,
      `  commandTimeout: ${deadlines.command}s`,
      "processes: [sshd]",
    ]);
    const sshds = Math.ceil(count / 16) + 5;
    console.log("lab sshd runs with -r (no re-exec per login): all lab hosts share this machine's cores");
    console.log(`lab: ${hosts.length} hosts (${count} healthy + ${Object.keys(bad).length} broken) on ${sshds} sshd processes, ready in ${((performance.now() - t0) / 1000).toFixed(1)}s`);

    const started = performance.now();
    const { code, stdout } = await new Promise<{ code: number; stdout: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, "check", "-c", fleet, "--json", "--concurrency", String(concurrency)], {
        stdio: ["ignore", "pipe", "inherit"],
      });
      let out = "";
      child.stdout.on("data", (c) => (out += c));
      child.on("close", (c) => resolve({ code: c ?? -1, stdout: out }));
    });
    const wallMs = performance.now() - started;
    const report = JSON.parse(stdout) as {
      hosts: { host: { name: string }; outcome: string; durationMs: number }[];
      summary: { durationMs: number };
    };
    const durations = report.hosts.filter((h) => h.host.name.startsWith("node-")).map((h) => h.durationMs).sort((a, b) => a - b);
    const q = (p: number) => durations[Math.min(durations.length - 1, Math.floor(p * durations.length))]!;
    const outcomes: Record<string, number> = {};
    for (const h of report.hosts) outcomes[h.outcome] = (outcomes[h.outcome] ?? 0) + 1;
    const slowestDeadline = deadlines.command;
    console.log(`sweep: ${hosts.length} hosts at concurrency ${concurrency}`);
    console.log(`  sweep time (fleetwatch's own)   ${(report.summary.durationMs / 1000).toFixed(2)} s`);
    console.log(`  wall time incl. process start   ${(wallMs / 1000).toFixed(2)} s`);
    console.log(`  healthy check p50 / p95 / max   ${q(0.5)} / ${q(0.95)} / ${durations[durations.length - 1]} ms`);
    console.log(`  slowest broken-host deadline    ${slowestDeadline} s (command timeout of the hanging host)`);
    console.log(`  outcomes                        ${Object.entries(outcomes).map(([k, v]) => `${k} ${v}`).join(", ")}`);
    for (const h of report.hosts.filter((r) => r.host.name.startsWith("bad-"))) {
      console.log(`  ${h.host.name.padEnd(18)} ${h.outcome.padEnd(17)} ${h.durationMs} ms`);
    }
    console.log(`  exit code                       ${code}`);
  } finally {
    await lab.close();
    await removeLabUser(lab.user);
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
