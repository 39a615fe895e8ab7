import { createHmac, randomBytes } from "node:crypto";
import { expect, it } from "vitest";
import { lookupKnownHost, parseKnownHosts } from "./known-hosts.js";
import { KnownHostsIndex } from "./known-hosts-index.js";

const b64 = (text: string) => Buffer.from(text).toString("base64");

it("finds what a full scan finds: plain, port-qualified, mixed-case, wildcard, negated, hashed and revoked lines", () => {
  const salt = randomBytes(20);
  const hashed = `|1|${salt.toString("base64")}|${createHmac("sha1", salt).update("[10.0.0.9]:2222").digest("base64")}`;
  const text = [
    `web-1,10.0.0.1 ssh-ed25519 ${b64("a")}`,
    `10.0.0.1 ssh-rsa ${b64("b")}`,
    `[10.0.0.2]:2222 ssh-ed25519 ${b64("c")}`,
    `Web-2.Example.com ssh-ed25519 ${b64("d")}`,
    `*.example.com,!bad.example.com ssh-rsa ${b64("e")}`,
    `${hashed} ssh-ed25519 ${b64("f")}`,
    `@revoked 10.0.0.1 ssh-ed25519 ${b64("g")}`,
    `10.0.0.* ssh-ed25519 ${b64("h")}`,
  ].join("\n");
  const entries = parseKnownHosts(text);
  const index = new KnownHostsIndex(entries);
  const names: [string, number][] = [
    ["10.0.0.1", 22], ["web-1", 22], ["10.0.0.2", 2222], ["10.0.0.2", 22], ["web-2.example.com", 22],
    ["bad.example.com", 22], ["db.example.com", 22], ["10.0.0.9", 2222], ["10.0.0.9", 22], ["unknown", 22],
  ];
  for (const [address, port] of names) expect(index.lookup(address, port)).toEqual(lookupKnownHost(entries, address, port));
});
