import { mkdtempSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import ssh2 from "ssh2";
import { afterAll, beforeEach, describe, expect, it } from "vitest";
import { clearPrivateKeyCache, loadPrivateKey } from "./private-key-cache.js";

const dir = mkdtempSync(join(tmpdir(), "fleetwatch-keys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
beforeEach(() => clearPrivateKeyCache());

// ssh2 sometimes makes an ed25519 pair it cannot read (see testkit's ssh2KeyPair): only readable ones here.
const newKey = (encrypted?: { passphrase: string; cipher: string; rounds: number }): { private: string; public: string } => {
  for (;;) {
    const pair = encrypted ? ssh2.utils.generateKeyPairSync("ed25519", encrypted) : ssh2.utils.generateKeyPairSync("ed25519");
    if (!(ssh2.utils.parseKey(pair.private, encrypted?.passphrase) instanceof Error) && !(ssh2.utils.parseKey(pair.public) instanceof Error)) return pair;
  }
};
const publicLine = (text: string) => {
  const parsed = ssh2.utils.parseKey(text);
  if (parsed instanceof Error) throw parsed;
  return (Array.isArray(parsed) ? parsed[0]! : parsed).getPublicSSH().toString("base64");
};
const publicOf = (result: ReturnType<typeof loadPrivateKey>) => (result.ok ? result.value.getPublicSSH().toString("base64") : result.error.reason);

describe("loadPrivateKey", () => {
  it("picks up a key file that was missing when the first check asked for it (a secret mounted late)", () => {
    const path = join(dir, "mounted-late");
    const missing = loadPrivateKey(path, undefined);
    expect(missing).toEqual({ ok: false, error: { kind: "private_key", file: path, cause: "ENOENT", reason: expect.stringContaining(path) } });
    const key = newKey();
    writeFileSync(path, key.private, { mode: 0o600 });
    const loaded = loadPrivateKey(path, undefined);
    expect(publicOf(loaded)).toBe(publicLine(key.public));
  });

  it("retries a key file that could not be parsed, once it is fixed", () => {
    const path = join(dir, "half-written");
    writeFileSync(path, "-----BEGIN OPENSSH PRIVATE KEY-----\ntruncated", { mode: 0o600 });
    expect(loadPrivateKey(path, undefined)).toMatchObject({ ok: false, error: { cause: "unparseable", file: path } });
    writeFileSync(path, newKey().private, { mode: 0o600 });
    expect(loadPrivateKey(path, undefined).ok).toBe(true);
  });

  it("keeps a loaded key while the file is unchanged, and reads a replaced file again", () => {
    const path = join(dir, "rotated");
    writeFileSync(path, newKey().private, { mode: 0o600 });
    const first = loadPrivateKey(path, undefined);
    const again = loadPrivateKey(path, undefined);
    expect(first.ok && again.ok && first.value === again.value).toBe(true);
    // A secret volume swaps the file for a new one.
    const rotated = newKey();
    writeFileSync(`${path}.new`, rotated.private, { mode: 0o600 });
    renameSync(`${path}.new`, path);
    expect(publicOf(loadPrivateKey(path, undefined))).toBe(publicLine(rotated.public));
  });

  it("names the cause of each kind of unusable key file", () => {
    const encrypted = join(dir, "encrypted");
    writeFileSync(encrypted, newKey({ passphrase: "right", cipher: "aes256-ctr", rounds: 4 }).private);
    expect(loadPrivateKey(encrypted, undefined)).toMatchObject({ ok: false, error: { cause: "passphrase_missing" } });
    process.env.FW_KEY_TEST_WRONG = "wrong";
    expect(loadPrivateKey(encrypted, "${FW_KEY_TEST_WRONG}")).toMatchObject({ ok: false, error: { cause: "passphrase_wrong" } });
    expect(loadPrivateKey(encrypted, "${FW_KEY_TEST_UNSET_VARIABLE}")).toMatchObject({ ok: false, error: { cause: "passphrase_unresolved" } });
    process.env.FW_KEY_TEST_RIGHT = "right";
    expect(loadPrivateKey(encrypted, "${FW_KEY_TEST_RIGHT}").ok).toBe(true);
    expect(loadPrivateKey(dir, undefined)).toMatchObject({ ok: false, error: { cause: "EISDIR", file: dir } });
  });
});
