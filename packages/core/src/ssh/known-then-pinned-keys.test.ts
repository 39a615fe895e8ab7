import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { ok } from "../util/result.js";
import { hostKeyCheck } from "./host-key-check.js";
import type { HostKeyStore } from "./host-key-store.js";
import { KnownHostsFile } from "./host-key-store.js";
import { KnownThenPinnedKeys } from "./known-then-pinned-keys.js";

const dir = mkdtempSync(join(tmpdir(), "fleetwatch-known-then-pinned-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const keyOf = (text: string) => {
  const type = Buffer.from("ssh-ed25519");
  const len = Buffer.alloc(4);
  len.writeUInt32BE(type.length);
  return Buffer.concat([len, type, Buffer.from(text)]);
};
const listedKey = keyOf("the key known_hosts lists");
const newKey = keyOf("a key shown after a reinstall");

/** Pins in memory, as RedisPinnedKeys does before it saves. */
function memoryPins(): HostKeyStore & { pins: Buffer[] } {
  const pins: Buffer[] = [];
  return {
    pins,
    lookup: () => ok({ keys: pins.map((key) => ({ keyType: "ssh-ed25519", key })), revoked: [] }),
    pin: (_a, _p, key) => {
      pins.push(key);
      return ok(undefined);
    },
  };
}

const knownHosts = (name: string, lines: string[]) => {
  const path = join(dir, name);
  writeFileSync(path, lines.map((l) => `${l}\n`).join(""));
  return new KnownHostsFile(path);
};

describe("tofu in the pipeline: known_hosts first, then pinned keys", () => {
  it("refuses a new key for a host known_hosts lists, and pins nothing", () => {
    const pins = memoryPins();
    const store = new KnownThenPinnedKeys(knownHosts("listed", [`10.0.0.1 ssh-ed25519 ${listedKey.toString("base64")}`]), pins);
    const check = hostKeyCheck("tofu", store, "10.0.0.1", 22);
    if (!check.ok) throw new Error(check.error.reason);
    expect(check.value.verify(newKey)).toBe(false);
    expect(check.value.refusal()).toMatchObject({ outcome: "hostkey_mismatch", reason: expect.stringContaining("HOST KEY CHANGED") });
    expect(pins.pins).toEqual([]);
    expect(hostKeyCheck("tofu", store, "10.0.0.1", 22)).toMatchObject({ ok: true });
  });

  it("pins the first key of a host the file does not list (or when the file does not exist), then refuses another", () => {
    for (const file of [knownHosts("other", [`10.0.0.9 ssh-ed25519 ${listedKey.toString("base64")}`]), new KnownHostsFile(join(dir, "missing"))]) {
      const store = new KnownThenPinnedKeys(file, memoryPins());
      const first = hostKeyCheck("tofu", store, "10.0.0.1", 22);
      if (!first.ok) throw new Error(first.error.reason);
      expect(first.value.verify(newKey)).toBe(true);
      const second = hostKeyCheck("tofu", store, "10.0.0.1", 22);
      if (!second.ok) throw new Error(second.error.reason);
      expect(second.value.verify(listedKey)).toBe(false);
      expect(second.value.refusal()?.outcome).toBe("hostkey_mismatch");
    }
  });

  it("keeps a key marked @revoked in the file revoked, even when it was pinned", () => {
    const pins = memoryPins();
    pins.pins.push(newKey);
    const store = new KnownThenPinnedKeys(knownHosts("revoked", [`@revoked 10.0.0.1 ssh-ed25519 ${newKey.toString("base64")}`]), pins);
    const check = hostKeyCheck("tofu", store, "10.0.0.1", 22);
    if (!check.ok) throw new Error(check.error.reason);
    expect(check.value.verify(newKey)).toBe(false);
    expect(check.value.refusal()?.reason).toContain("@revoked");
  });

  it("a file that cannot be read is the monitor's fault, never an empty list that re-pins", () => {
    const store = new KnownThenPinnedKeys(new KnownHostsFile(dir), memoryPins());
    expect(hostKeyCheck("tofu", store, "10.0.0.1", 22)).toMatchObject({ ok: false, error: { monitorFault: { cause: "EISDIR" } } });
  });
});
