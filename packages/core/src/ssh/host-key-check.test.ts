import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { err, ok } from "../util/result.js";
import { hostKeyCheck } from "./host-key-check.js";
import type { HostKeyStore } from "./host-key-store.js";
import { KnownHostsFile } from "./host-key-store.js";

const dir = mkdtempSync(join(tmpdir(), "fleetwatch-host-keys-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const key = (() => {
  const type = Buffer.from("ssh-ed25519");
  const len = Buffer.alloc(4);
  len.writeUInt32BE(type.length);
  return Buffer.concat([len, type, Buffer.from("a host key")]);
})();

describe("a known_hosts file the monitor cannot read", () => {
  it("is a fault naming the file and the cause, under strict and under tofu, and tofu pins nothing", () => {
    const asDirectory = join(dir, "a-directory");
    mkdirSync(asDirectory);
    const underFile = join(dir, "a-file", "known_hosts");
    writeFileSync(join(dir, "a-file"), "");
    for (const [path, cause] of [
      [asDirectory, "EISDIR"],
      [underFile, "ENOTDIR"],
    ] as const) {
      for (const policy of ["strict", "tofu"] as const) {
        const check = hostKeyCheck(policy, new KnownHostsFile(path), "10.0.0.1", 22);
        expect(check).toEqual({
          ok: false,
          error: {
            outcome: "hostkey_unknown",
            reason: expect.stringContaining(path),
            monitorFault: { kind: "known_hosts", file: path, cause, reason: expect.stringContaining(path) },
          },
        });
      }
    }
    expect(readFileSync(join(dir, "a-file"), "utf8")).toBe("");
  });

  it("under strict, a file that does not exist is the monitor's fault; under tofu it is empty, and the first key is pinned into it", () => {
    const path = join(dir, "not-yet", "known_hosts");
    const strict = hostKeyCheck("strict", new KnownHostsFile(path), "10.0.0.1", 22);
    expect(strict).toMatchObject({ ok: false, error: { outcome: "hostkey_unknown", monitorFault: { cause: "ENOENT", file: path } } });
    const tofu = hostKeyCheck("tofu", new KnownHostsFile(path), "10.0.0.1", 22);
    if (!tofu.ok) throw new Error(tofu.error.reason);
    expect(tofu.value.verify(key)).toBe(true);
    expect(readFileSync(path, "utf8")).toBe(`10.0.0.1 ssh-ed25519 ${key.toString("base64")}\n`);
  });

  it("under tofu, a pin that cannot be written refuses the key: nothing runs on a key that was not kept", () => {
    const store: HostKeyStore = {
      lookup: () => ok({ keys: [], revoked: [] }),
      pin: () => err({ kind: "known_hosts", file: "/ro/known_hosts", cause: "EROFS", reason: "cannot pin: /ro/known_hosts is read-only" }),
    };
    const check = hostKeyCheck("tofu", store, "10.0.0.1", 22);
    if (!check.ok) throw new Error(check.error.reason);
    expect(check.value.verify(key)).toBe(false);
    expect(check.value.refusal()).toEqual({
      outcome: "hostkey_unknown",
      reason: "cannot pin: /ro/known_hosts is read-only",
      monitorFault: { kind: "known_hosts", file: "/ro/known_hosts", cause: "EROFS", reason: "cannot pin: /ro/known_hosts is read-only" },
    });
  });

  it("never takes a file that became unreadable for an empty one (which would re-pin every host under tofu)", () => {
    const path = join(dir, "becomes-unreadable");
    writeFileSync(path, `10.0.0.1 ssh-ed25519 ${key.toString("base64")}\n`);
    const file = new KnownHostsFile(path);
    expect(file.lookup("10.0.0.1", 22)).toMatchObject({ ok: true, value: { keys: [{ keyType: "ssh-ed25519" }] } });
    rmSync(path);
    mkdirSync(path);
    expect(hostKeyCheck("tofu", file, "10.0.0.1", 22)).toMatchObject({ ok: false, error: { monitorFault: { cause: "EISDIR" } } });
    expect(existsSync(join(path, "known_hosts"))).toBe(false);
  });
});
