import { expect, it } from "vitest";
import type { HostKeyStore } from "./host-key-store.js";
import type { KnownHostsMatch } from "./known-hosts.js";
import { hostTrustKey } from "./host-trust-key.js";
import { ok } from "../util/result.js";

const key = (text: string) => Buffer.from(`\u0000\u0000\u0000\u000bssh-ed25519${text}`);
const storeOf = (match: KnownHostsMatch): HostKeyStore => ({ lookup: () => ok(match), pin: () => ok(undefined) });

it("changes when the host's known_hosts entry changes, and only then", () => {
  const one = { keyType: "ssh-ed25519", key: key("one") };
  const two = { keyType: "ssh-ed25519", key: key("two") };
  const base = hostTrustKey("strict", storeOf({ keys: [one], revoked: [] }), "10.0.0.1", 22);
  expect(hostTrustKey("strict", storeOf({ keys: [one], revoked: [] }), "10.0.0.1", 22)).toBe(base);
  expect(hostTrustKey("strict", storeOf({ keys: [one, two], revoked: [] }), "10.0.0.1", 22)).not.toBe(base);
  expect(hostTrustKey("strict", storeOf({ keys: [two], revoked: [] }), "10.0.0.1", 22)).not.toBe(base);
  expect(hostTrustKey("strict", storeOf({ keys: [one], revoked: [one.key] }), "10.0.0.1", 22)).not.toBe(base);
  expect(hostTrustKey("tofu", storeOf({ keys: [one], revoked: [] }), "10.0.0.1", 22)).not.toBe(base);
  expect(hostTrustKey("off", storeOf({ keys: [one], revoked: [] }), "10.0.0.1", 22)).toBe("off");
});
