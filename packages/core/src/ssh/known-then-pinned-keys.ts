import type { Result } from "../util/result.js";
import { ok } from "../util/result.js";
import type { HostKeyStore, KnownHostsFault } from "./host-key-store.js";
import type { KnownHostsMatch } from "./known-hosts.js";

/**
 * The pipeline's store under `tofu`: what known_hosts says about a host comes first (its keys,
 * `@revoked` lines, and a file that cannot be read); only a host it does not list (or a file
 * that does not exist yet) falls to the keys pinned on first use. So a host listed with its
 * key is never re-pinned to another one, as the CLI, which pins into that file, would not.
 */
export class KnownThenPinnedKeys implements HostKeyStore {
  constructor(
    private readonly known: HostKeyStore,
    private readonly pinned: HostKeyStore,
  ) {}

  lookup(address: string, port: number): Result<KnownHostsMatch, KnownHostsFault> {
    const listed = this.known.lookup(address, port);
    if (!listed.ok) return listed.error.cause === "ENOENT" ? this.pinned.lookup(address, port) : listed;
    const { keys, revoked, certAuthorityLine } = listed.value;
    if (keys.length > 0 || certAuthorityLine !== undefined) return listed;
    const pinned = this.pinned.lookup(address, port);
    // Revoked keys stay revoked whatever was pinned.
    return pinned.ok ? ok({ ...pinned.value, revoked: [...revoked, ...pinned.value.revoked] }) : pinned;
  }

  pin(address: string, port: number, key: Buffer): Result<void, KnownHostsFault> {
    return this.pinned.pin(address, port, key);
  }
}
