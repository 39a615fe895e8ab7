import { createHmac, randomBytes } from "node:crypto";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { KnownHostsFile } from "@fleetwatch/core";

/**
 * `node packages/testkit/dist/bench-known-hosts.js`: known_hosts lookups as a worker makes
 * them, one per check, in files of 5,000 and 100,000 lines (plain, then hashed). Prints
 * figures; asserts nothing.
 */
const blob = (n: number) => {
  const type = Buffer.from("ssh-ed25519");
  const len = Buffer.alloc(4);
  len.writeUInt32BE(type.length);
  return Buffer.concat([len, type, Buffer.from(`key-${n}`)]).toString("base64");
};
const address = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

function write(path: string, lines: number, hashed: boolean): void {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    let name = address(i);
    if (hashed) {
      const salt = randomBytes(20);
      name = `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;
    }
    out.push(`${name} ssh-ed25519 ${blob(i)}`);
  }
  writeFileSync(path, `${out.join("\n")}\n`);
}

function time<T>(run: () => T): { ms: number; value: T } {
  const started = performance.now();
  const value = run();
  return { ms: performance.now() - started, value };
}

const dir = mkdtempSync(join(tmpdir(), "fleetwatch-bench-known-hosts-"));
try {
  for (const lines of [5_000, 100_000]) {
    for (const hashed of [false, true]) {
      const path = join(dir, `known_hosts_${lines}_${hashed ? "hashed" : "plain"}`);
      write(path, lines, hashed);
      const file = new KnownHostsFile(path);
      const load = time(() => file.lookup(address(0), 22));
      const hosts = 200;
      const first = time(() => {
        for (let i = 1; i <= hosts; i++) file.lookup(address((i * 7919) % lines), 22);
      });
      const again = time(() => {
        for (let i = 1; i <= hosts; i++) file.lookup(address((i * 7919) % lines), 22);
      });
      console.log(
        `${String(lines).padStart(7)} ${hashed ? "hashed" : "plain "} lines: read + index ${load.ms.toFixed(0)} ms; ` +
          `first lookup per host ${(first.ms / hosts).toFixed(3)} ms; later lookups ${((again.ms / hosts) * 1000).toFixed(1)} µs`,
      );
    }
  }
} finally {
  rmSync(dir, { recursive: true, force: true });
}
