import { createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import { hostKeyAlgorithmsFor, keyTypeOfBlob, parseKnownHosts } from "./known-hosts.js";
import { lookupKnownHost } from "./known-hosts-index.js";

const blob = (type: string, body: string) => {
  const t = Buffer.from(type);
  const len = Buffer.alloc(4);
  len.writeUInt32BE(t.length);
  return Buffer.concat([len, t, Buffer.from(body)]);
};
const ed = blob("ssh-ed25519", "key-one");
const rsa = blob("ssh-rsa", "key-two");
const b64 = (b: Buffer) => b.toString("base64");

describe("known_hosts", () => {
  it("finds plain, port-qualified and wildcard entries, several keys per host", () => {
    const entries = parseKnownHosts(
      [
        "# comment",
        `web-1,10.0.0.1 ssh-ed25519 ${b64(ed)} root@web-1`,
        `10.0.0.1 ssh-rsa ${b64(rsa)}`,
        `[10.0.0.2]:2222 ssh-ed25519 ${b64(ed)}`,
        `*.example.com,!bad.example.com ssh-rsa ${b64(rsa)}`,
      ].join("\n"),
    );
    expect(lookupKnownHost(entries, "10.0.0.1", 22).keys.map((k) => k.keyType)).toEqual(["ssh-ed25519", "ssh-rsa"]);
    expect(lookupKnownHost(entries, "10.0.0.2", 22).keys).toHaveLength(0);
    expect(lookupKnownHost(entries, "10.0.0.2", 2222).keys).toHaveLength(1);
    expect(lookupKnownHost(entries, "db.example.com", 22).keys).toHaveLength(1);
    expect(lookupKnownHost(entries, "bad.example.com", 22).keys).toHaveLength(0);
  });

  it("matches hashed |1| entries", () => {
    const salt = randomBytes(20);
    const hash = createHmac("sha1", salt).update("[2001:db8::7]:2222").digest();
    const entries = parseKnownHosts(`|1|${b64(salt)}|${b64(hash)} ssh-ed25519 ${b64(ed)}`);
    expect(lookupKnownHost(entries, "2001:db8::7", 2222).keys).toHaveLength(1);
    expect(lookupKnownHost(entries, "2001:db8::7", 22).keys).toHaveLength(0);
  });

  it("keeps @revoked keys apart and notes @cert-authority lines", () => {
    const entries = parseKnownHosts(`@revoked * ssh-rsa ${b64(rsa)}\n@cert-authority *.corp ssh-ed25519 ${b64(ed)}\n`);
    expect(lookupKnownHost(entries, "a.corp", 22)).toMatchObject({ keys: [], revoked: [rsa], certAuthorityLine: 2 });
  });

  it("skips malformed lines", () => {
    expect(parseKnownHosts("garbage\n@weird host ssh-rsa AAAA\nhost ssh-rsa\n")).toEqual([]);
  });

  it("reads the key type inside a blob and offers matching algorithms", () => {
    expect(keyTypeOfBlob(ed)).toBe("ssh-ed25519");
    expect(keyTypeOfBlob(Buffer.from([0, 0]))).toBeUndefined();
    expect(hostKeyAlgorithmsFor(["ssh-rsa"])).toEqual(["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"]);
    expect(hostKeyAlgorithmsFor(["ssh-ed25519", "ssh-ed25519"])).toEqual(["ssh-ed25519"]);
  });
});
