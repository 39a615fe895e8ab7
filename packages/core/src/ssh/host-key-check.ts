import { createHash } from "node:crypto";
import type { HostKeyPolicy } from "../config/ssh-settings-schema.js";
import type { Failure } from "../result/outcome.js";
import type { Result } from "../util/result.js";
import { err, ok } from "../util/result.js";
import type { HostKeyStore } from "./host-key-store.js";
import type { KnownHostsMatch } from "./known-hosts.js";
import { hostKeyAlgorithmsFor, keyTypeOfBlob } from "./known-hosts.js";

/** Why a host key was refused: a host-key outcome, and the monitor's fault when it was one. */
export type HostKeyRefusal = Failure & { outcome: "hostkey_unknown" | "hostkey_mismatch" };

export interface HostKeyCheck {
  /** Host-key algorithms to offer, or undefined for ssh2's defaults. */
  algorithms: string[] | undefined;
  /** Given to ssh2 as `hostVerifier`: true lets the handshake go on. */
  verify(key: Buffer): boolean;
  /** Why `verify` refused; `undefined` while nothing was refused. */
  refusal(): HostKeyRefusal | undefined;
}

/** `SHA256:…`, as `ssh-keygen -l` prints it. */
export function fingerprint(key: Buffer): string {
  return `SHA256:${createHash("sha256").update(key).digest("base64").replace(/=+$/, "")}`;
}

const EMPTY: KnownHostsMatch = { keys: [], revoked: [] };

/**
 * Decides, for one connection, whether the key the server shows may be trusted:
 * `strict` needs it in known_hosts; `tofu` pins the first one seen; `off` takes any.
 * Made before connecting: a known_hosts file that cannot be read (or, under `strict`, does
 * not exist) is the monitor's fault and no connection is opened; under `tofu` only a file
 * that does not exist yet counts as empty, so a read error never re-pins a host.
 */
export function hostKeyCheck(policy: HostKeyPolicy, store: HostKeyStore, address: string, port: number): Result<HostKeyCheck, HostKeyRefusal> {
  if (policy === "off") {
    return ok({ algorithms: undefined, verify: () => true, refusal: () => undefined });
  }
  const looked = store.lookup(address, port);
  let known: KnownHostsMatch;
  if (looked.ok) known = looked.value;
  else if (policy === "tofu" && looked.error.cause === "ENOENT") known = EMPTY;
  else return err({ outcome: "hostkey_unknown", reason: `${looked.error.reason}; the host key cannot be checked, so nothing was run`, monitorFault: looked.error });
  let refusal: HostKeyRefusal | undefined;
  const where = `known_hosts`;
  return ok({
    algorithms: known.keys.length > 0 ? hostKeyAlgorithmsFor(known.keys.map((k) => k.keyType)) : undefined,
    refusal: () => refusal,
    verify(key: Buffer): boolean {
      const shown = `${keyTypeOfBlob(key) ?? "key"} ${fingerprint(key)}`;
      if (known.revoked.some((revoked) => revoked.equals(key))) {
        refusal = { outcome: "hostkey_mismatch", reason: `host key ${shown} is marked @revoked in ${where}` };
        return false;
      }
      if (known.keys.some((k) => k.key.equals(key))) return true;
      if (known.keys.length > 0) {
        refusal = {
          outcome: "hostkey_mismatch",
          reason: `HOST KEY CHANGED: the host showed ${shown}, which is not the key in ${where}; nothing was run. If the change is expected, replace the host's line in ${where}`,
        };
        return false;
      }
      if (known.certAuthorityLine !== undefined) {
        refusal = {
          outcome: "hostkey_unknown",
          reason: `${where} line ${known.certAuthorityLine} is an @cert-authority line; host certificates are not supported, add the host's own key (ssh-keyscan)`,
        };
        return false;
      }
      if (policy === "tofu") {
        const pinned = store.pin(address, port, key);
        if (pinned.ok) return true;
        refusal = { outcome: "hostkey_unknown", reason: pinned.error.reason, monitorFault: pinned.error };
        return false;
      }
      refusal = {
        outcome: "hostkey_unknown",
        reason: `host is not in ${where} (it showed ${shown}); add it with ssh-keyscan, or use hostKeyPolicy: tofu`,
      };
      return false;
    },
  });
}
