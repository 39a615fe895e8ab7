import { createHash } from "node:crypto";
import type { HostKeyPolicy } from "../config/ssh-settings-schema.js";
import type { HostKeyStore } from "./host-key-store.js";
import { hostKeyAlgorithmsFor, keyTypeOfBlob } from "./known-hosts.js";

/** Why a host key was refused; `undefined` while nothing was refused. */
export type HostKeyRefusal =
  | { kind: "hostkey_unknown"; reason: string }
  | { kind: "hostkey_mismatch"; reason: string };

export interface HostKeyCheck {
  /** Host-key algorithms to offer, or undefined for ssh2's defaults. */
  algorithms: string[] | undefined;
  /** Given to ssh2 as `hostVerifier`: true lets the handshake go on. */
  verify(key: Buffer): boolean;
  refusal(): HostKeyRefusal | undefined;
}

/** `SHA256:…`, as `ssh-keygen -l` prints it. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

/**
 * Decides, for one connection, whether the key the server shows may be trusted:
 * `strict` needs it in known_hosts; `tofu` pins the first one seen; `off` takes any.
 */
export function hostKeyCheck(policy: HostKeyPolicy, store: HostKeyStore, address: string, port: number): HostKeyCheck {
  if (policy === "off") {
    return { algorithms: undefined, verify: () => true, refusal: () => undefined };
  }
  const known = store.lookup(address, port);
  let refusal: HostKeyRefusal | undefined;
  const where = `known_hosts`;
  return {
    algorithms: known.keys.length > 0 ? hostKeyAlgorithmsFor(known.keys.map((k) => k.keyType)) : undefined,
    refusal: () => refusal,
    verify(key: Buffer): boolean {
      const shown = `${keyTypeOfBlob(key) ?? "key"} ${fingerprint(key)}`;
      if (known.revoked.some((revoked) => revoked.equals(key))) {
        refusal = { kind: "hostkey_mismatch", reason: `host key ${shown} is marked @revoked in ${where}` };
        return false;
      }
      if (known.keys.some((k) => k.key.equals(key))) return true;
      if (known.keys.length > 0) {
        refusal = {
          kind: "hostkey_mismatch",
          reason: `HOST KEY CHANGED: the host showed ${shown}, which is not the key in ${where}; nothing was run. If the change is expected, replace the host's line in ${where}`,
        };
        return false;
      }
      if (known.certAuthorityLine !== undefined) {
        refusal = {
          kind: "hostkey_unknown",
          reason: `${where} line ${known.certAuthorityLine} is an @cert-authority line; host certificates are not supported, add the host's own key (ssh-keyscan)`,
        };
        return false;
      }
      if (policy === "tofu") {
        store.pin(address, port, key);
        return true;
      }
      refusal = {
        kind: "hostkey_unknown",
        reason: `host is not in ${where} (it showed ${shown}); add it with ssh-keyscan, or use hostKeyPolicy: tofu`,
      };
      return false;
    },
  };
}
