import type { HostKeyPolicy } from "../config/ssh-settings-schema.js";
import type { HostKeyStore } from "./host-key-store.js";

/**
 * What the host-key store says about one host, as one string: the keys it accepts and the
 * keys it revokes (or that it cannot be read). A kept connection is closed when this
 * changes, so the key it was made with is checked again against the new entry.
 */
export function hostTrustKey(policy: HostKeyPolicy, store: HostKeyStore, address: string, port: number): string {
  if (policy === "off") return "off";
  const looked = store.lookup(address, port);
  // Unreadable now: the kept connection closes, and the next connect says why.
  if (!looked.ok) return `${policy}|unreadable:${looked.error.cause}`;
  const match = looked.value;
  const keys = match.keys.map((k) => `${k.keyType} ${k.key.toString("base64")}`).sort();
  const revoked = match.revoked.map((k) => k.toString("base64")).sort();
  return `${policy}|${keys.join(",")}|${revoked.join(",")}|${match.certAuthorityLine ?? ""}`;
}
