#!/usr/bin/env node
// The Debian packages a README command needs, installed when missing.
// As root with apt-get: installs them and says so in one line. Otherwise: names them and stops.
// Optional packages are installed when that is possible and otherwise only named: the demo
// runs without sshd (its hosts are then SSH servers inside the demo).
// Usage: node scripts/system-packages.mjs demo|test
import { spawnSync } from "node:child_process";
import { accessSync, constants, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";

/** What each package provides, as the file a command needs. */
const PACKAGES = {
  "openssh-server": "/usr/sbin/sshd",
  "openssh-client": "ssh-keygen",
  busybox: "busybox",
  "redis-server": "redis-server",
  "docker-compose": "docker-compose",
  systemd: "systemd-analyze",
  chromium: "chromium",
};

const NEEDS = {
  demo: ["redis-server"],
  test: ["openssh-server", "openssh-client", "busybox", "redis-server", "docker-compose", "systemd", "chromium"],
};
const OPTIONAL = {
  demo: ["openssh-server", "openssh-client"],
  test: [],
};

const purpose = process.argv[2];
const needed = NEEDS[purpose];
if (!needed) {
  process.stderr.write(`usage: node scripts/system-packages.mjs ${Object.keys(NEEDS).join("|")}\n`);
  process.exit(64);
}

const executable = (file) => {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
};
const found = (command) =>
  command.startsWith("/")
    ? executable(command)
    : [...(process.env.PATH ?? "").split(delimiter), "/usr/sbin", "/sbin"].some((dir) => dir && executable(join(dir, command)));

const isRoot = process.getuid?.() === 0;
const canInstall = isRoot && found("apt-get");
const missingRequired = needed.filter((pkg) => !found(PACKAGES[pkg]));
const missingOptional = OPTIONAL[purpose].filter((pkg) => !found(PACKAGES[pkg]));
if (!canInstall && missingOptional.length > 0 && missingRequired.length === 0) {
  process.stderr.write(`npm run ${purpose}: ${missingOptional.join(" ")} not installed; going on without them (install them for real OpenSSH hosts)\n`);
}
const missing = canInstall ? [...missingRequired, ...missingOptional] : missingRequired;
if (missing.length === 0) process.exit(0);

const list = missing.join(" ");
if (!canInstall) {
  process.stderr.write(
    `npm run ${purpose} needs these system packages: ${list}\n` +
      `Install them (Debian/Ubuntu: sudo apt-get install ${list}), or run this command as root where apt-get can install them, then try again.\n`,
  );
  process.exit(1);
}

process.stdout.write(`installing system packages for npm run ${purpose} with apt-get: ${list}\n`);
const dir = mkdtempSync(join(tmpdir(), "fleetwatch-apt-"));
const log = join(dir, "apt.log");
const apt = (args) =>
  spawnSync("sh", ["-c", `apt-get -o DPkg::Lock::Timeout=600 ${args} >>"${log}" 2>&1`], {
    stdio: "inherit",
    env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" },
  }).status === 0;
const ok = apt("update -qq") && apt(`install -y -qq --no-install-recommends ${list}`);
if (!ok) {
  const tail = readFileSync(log, "utf8").trim().split("\n").slice(-15).join("\n");
  process.stderr.write(`apt-get could not install ${list}; its last lines:\n${tail}\n`);
  rmSync(dir, { recursive: true, force: true });
  process.exit(1);
}
rmSync(dir, { recursive: true, force: true });
const still = missing.filter((pkg) => !found(PACKAGES[pkg]));
if (still.length > 0) {
  process.stderr.write(`installed ${list}, but these are still missing: ${still.map((p) => PACKAGES[p]).join(", ")}\n`);
  process.exit(1);
}
