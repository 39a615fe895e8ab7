import { spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { writeFleetFile, type FleetFileHost } from "./fleet-file.js";
import { Lab } from "./lab.js";
import { removeLabUser } from "./lab-user.js";
import { MissingToolError, findSshd } from "./openssh-tools.js";

const CLI = fileURLToPath(new URL("../../../apps/cli/dist/bin.js", import.meta.url));

/**
 * `npm run demo`: a handful of throwaway loopback hosts served by real OpenSSH sshd, some
 * healthy and some broken in different ways, checked by `fleetwatch check`. Everything it
 * started is stopped and removed at the end, or on Ctrl-C.
 */
async function main(): Promise<number> {
  try {
    findSshd();
  } catch (error) {
    if (error instanceof MissingToolError) {
      console.error(`demo: ${error.message}`);
      return 1;
    }
    throw error;
  }
  console.log("Starting throwaway SSH hosts on loopback (real OpenSSH sshd)…");
  const lab = await Lab.create();
  let cleaned = false;
  const cleanup = async () => {
    if (cleaned) return;
    cleaned = true;
    await lab.close();
    await removeLabUser(lab.user);
  };
  process.once("SIGINT", () => void cleanup().then(() => process.exit(130)));
  try {
    const healthy = await lab.startHosts({ count: 6 });
    const denied = await lab.startHosts({ behaviour: "deny-key" });
    const impostor = await lab.impostorKey("ed25519");
    const closed = await lab.closedHost();
    const silent = await lab.startSilentHost();
    const [web1, web2, web3, db1, cache1, legacy1] = healthy as [typeof healthy[0], ...typeof healthy];
    const knownHosts = await lab.writeKnownHosts("known_hosts", [...healthy, ...denied], {
      override: new Map([[legacy1!.address, [impostor]]]),
    });
    const hosts: FleetFileHost[] = [
      { name: "web-1", host: web1 },
      { name: "web-2", host: web2! },
      { name: "web-3", host: web3! },
      { name: "db-1", host: db1!, extra: "thresholds: { disk: { warning: 1, critical: 99 } }" },
      { name: "cache-1", host: cache1!, extra: "processes: [sshd, nginx]" },
      { name: "legacy-1", host: legacy1! },
      { name: "app-1", host: denied[0]! },
      { name: "old-1", host: closed },
      { name: "stuck-1", host: silent },
    ];
    const fleet = writeFleetFile(lab, "fleet.yaml", knownHosts, hosts, [
      "  connectTimeout: 2s",
      "  handshakeTimeout: 3s",
      "  commandTimeout: 10s",
      "processes: [sshd]",
      // The lab hosts are this machine: its own cpu and load are not what the demo shows.
      "thresholds: { cpu: {}, load: {} }",
    ]);
    console.log(`
  web-1..3   healthy
  db-1       disk above its warning level (set to 1% for the demo)
  cache-1    required process nginx is not running
  legacy-1   host key changed since it was recorded in known_hosts
  app-1      our key is not authorized
  old-1      nothing listening on its port
  stuck-1    accepts TCP, never sends an SSH banner

Fleet file: ${fleet}
${readFileSync(fleet, "utf8").replace(/^/gm, "  | ")}
$ fleetwatch check -c fleet.yaml
`);
    const code = await new Promise<number>((resolve) => {
      const child = spawn(process.execPath, [CLI, "check", "-c", fleet], { stdio: "inherit" });
      child.on("exit", (c) => resolve(c ?? 3));
    });
    console.log(`\nfleetwatch check exited with ${code} (Nagios: 0 ok, 1 warning, 2 critical, 3 unknown).`);
    return code === 2 ? 0 : 1;
  } finally {
    await cleanup();
    console.log("Stopped the demo hosts and removed their files.");
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`demo failed: ${process.env.DEBUG ? (error.stack ?? error.message) : error.message}`);
    process.exit(1);
  },
);
