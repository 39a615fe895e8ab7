import { createHmac, randomBytes } from "node:crypto";
import { appendFileSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { KnownHostsFile } from "./host-key-store.js";
import type { KnownHostEntry, KnownHostsMatch } from "./known-hosts.js";
import { knownHostsName, parseKnownHosts, wildcardToRegExp } from "./known-hosts.js";
import { KnownHostsIndex } from "./known-hosts-index.js";
import { assertProperty } from "../test-support/property-options.js";

const dir = mkdtempSync(join(tmpdir(), "fleetwatch-known-hosts-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const blob = (type: string, body: string) => {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, Buffer.from(body)]).toString("base64");
};
const hashedName = (name: string) => {
  const salt = randomBytes(20);
  return `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update(name).digest("base64")}`;
};

/** A fleet's known_hosts: `plain` named hosts, `hashed` hashed ones, three wildcard lines. */
function writeFleetKnownHosts(path: string, plain: number, hashed: number): void {
  const lines: string[] = [];
  for (let i = 0; i < plain; i++) lines.push(`web-${i}.example.com,10.1.${i >> 8}.${i & 255} ssh-ed25519 ${blob("ssh-ed25519", `plain-${i}`)}`);
  for (let i = 0; i < hashed; i++) lines.push(`${hashedName(`[10.2.${i >> 8}.${i & 255}]:2222`)} ssh-ed25519 ${blob("ssh-ed25519", `hashed-${i}`)}`);
  lines.push(`*.lab.example.com ssh-rsa ${blob("ssh-rsa", "lab")}`);
  lines.push(`db-?.example.net,!db-9.example.net ssh-rsa ${blob("ssh-rsa", "db")}`);
  lines.push(`@revoked *.old.example.com ssh-rsa ${blob("ssh-rsa", "old")}`);
  writeFileSync(path, `${lines.join("\n")}\n`);
}

/** Comparisons one lookup costs. */
function cost(file: KnownHostsFile, address: string, port: number): { keys: number; comparisons: number } {
  const before = file.comparisons;
  const found = file.lookup(address, port);
  if (!found.ok) throw new Error(found.error.reason);
  return { keys: found.value.keys.length, comparisons: file.comparisons - before };
}

describe("known_hosts lookups answered from an index", () => {
  const wildcardLines = 3;

  it("finds a host among 5,000 plain lines testing only the wildcard lines", () => {
    const path = join(dir, "plain_known_hosts");
    writeFleetKnownHosts(path, 5_000, 0);
    const file = new KnownHostsFile(path);
    expect(cost(file, "10.1.19.135", 22)).toEqual({ keys: 1, comparisons: wildcardLines });
    expect(cost(file, "WEB-4999.example.com", 22)).toEqual({ keys: 1, comparisons: wildcardLines });
    expect(cost(file, "web-5000.example.com", 22)).toEqual({ keys: 0, comparisons: wildcardLines });
    expect(cost(file, "a.lab.example.com", 22)).toEqual({ keys: 1, comparisons: wildcardLines });
  });

  it("tests 5,000 hashed lines (an HMAC each) once per host, then answers from memory", () => {
    const path = join(dir, "hashed_known_hosts");
    writeFleetKnownHosts(path, 5_000, 5_000);
    const file = new KnownHostsFile(path);
    expect(cost(file, "10.2.19.135", 2222)).toEqual({ keys: 1, comparisons: 5_000 + wildcardLines });
    expect(cost(file, "10.2.19.135", 2222)).toEqual({ keys: 1, comparisons: wildcardLines });
    expect(cost(file, "10.1.0.7", 22)).toEqual({ keys: 1, comparisons: 5_000 + wildcardLines });
    expect(cost(file, "10.1.0.7", 22)).toEqual({ keys: 1, comparisons: wildcardLines });
  });

  it("starts over when the file changes: a new hashed line is found", () => {
    const path = join(dir, "changing_known_hosts");
    writeFleetKnownHosts(path, 10, 10);
    const file = new KnownHostsFile(path);
    expect(cost(file, "10.9.9.9", 2222).keys).toBe(0);
    appendFileSync(path, `${hashedName("[10.9.9.9]:2222")} ssh-ed25519 ${blob("ssh-ed25519", "new")}\n`);
    expect(cost(file, "10.9.9.9", 2222)).toEqual({ keys: 1, comparisons: 11 + wildcardLines });
  });

  it("keeps a key it pinned without reading the file again", () => {
    const path = join(dir, "pinned_known_hosts");
    writeFileSync(path, `10.0.0.1 ssh-ed25519 ${blob("ssh-ed25519", "one")}`); // no final newline
    const file = new KnownHostsFile(path);
    expect(cost(file, "10.0.0.2", 22).keys).toBe(0);
    const key = Buffer.from(blob("ssh-ed25519", "two"), "base64");
    expect(file.pin("10.0.0.2", 22, key)).toEqual({ ok: true, value: undefined });
    expect(cost(file, "10.0.0.2", 22).keys).toBe(1);
    // The unfinished last line was finished first: both lines read back as they were meant.
    const reread = new KnownHostsFile(path);
    expect(cost(reread, "10.0.0.1", 22).keys).toBe(1);
    expect(cost(reread, "10.0.0.2", 22).keys).toBe(1);
  });
});

/** OpenSSH's rule, line by line: the reference the index must agree with. */
function scanAll(entries: readonly KnownHostEntry[], address: string, port: number): KnownHostsMatch {
  const name = knownHostsName(address, port);
  const match: KnownHostsMatch = { keys: [], revoked: [] };
  for (const entry of entries) {
    let matched: boolean;
    if (entry.hashed) matched = createHmac("sha1", entry.hashed.salt).update(name).digest().equals(entry.hashed.hash);
    else {
      matched = false;
      for (const pattern of entry.patterns) {
        const negated = pattern.startsWith("!");
        if (!wildcardToRegExp(negated ? pattern.slice(1) : pattern).test(name)) continue;
        if (negated) {
          matched = false;
          break;
        }
        matched = true;
      }
    }
    if (!matched) continue;
    if (entry.marker === "revoked") match.revoked.push(entry.key);
    else if (entry.marker === "cert-authority") match.certAuthorityLine ??= entry.line;
    else match.keys.push({ keyType: entry.keyType, key: entry.key });
  }
  return match;
}

describe("the index agrees with a line-by-line scan", () => {
  it("for any file of plain, hashed, wildcard, negated and marked lines", () => {
    const host = fc.constantFrom("a", "A", "b", "B", "a.x", "b.x", "10.0.0.1", "2001:db8::1");
    const port = fc.constantFrom(22, 2222);
    const pattern = fc.oneof(
      host.map((h) => ({ text: h, hashed: false })),
      fc.tuple(host, port).map(([h, p]) => ({ text: `[${h}]:${p}`, hashed: false })),
      fc.constantFrom("*", "*.x", "?", "!a", "!a.x", "10.0.0.?", "[*]:2222").map((text) => ({ text, hashed: false })),
      fc.tuple(host, port).map(([h, p]) => ({ text: hashedName(knownHostsName(h, p)), hashed: true })),
    );
    const line = fc.tuple(fc.constantFrom("", "@revoked ", "@cert-authority "), fc.array(pattern, { minLength: 1, maxLength: 3 }), fc.nat(5)).map(
      ([marker, patterns, body]) => {
        const hashed = patterns.find((p) => p.hashed);
        const hosts = hashed ? hashed.text : patterns.map((p) => p.text).join(",");
        return `${marker}${hosts} ssh-ed25519 ${blob("ssh-ed25519", `k${body}`)}`;
      },
    );
    assertProperty(
      fc.property(fc.array(line, { maxLength: 30 }), host, port, (lines, address, p) => {
        const entries = parseKnownHosts(lines.join("\n"));
        expect(new KnownHostsIndex(entries).lookup(address, p)).toEqual(scanAll(entries, address, p));
      }),
    );
  });
});
