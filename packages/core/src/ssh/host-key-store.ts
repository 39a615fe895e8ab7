import { appendFileSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { KnownHostsMatch } from "./known-hosts.js";
import { keyTypeOfBlob, knownHostsName, parseKnownHosts } from "./known-hosts.js";
import { KnownHostsIndex } from "./known-hosts-index.js";

/** Where host keys are looked up and, with tofu, pinned. */
export interface HostKeyStore {
  lookup(address: string, port: number): KnownHostsMatch;
  /** Remembers the first key seen for a host (tofu). */
  pin(address: string, port: number, key: Buffer): void;
}

/**
 * A known_hosts file, read once and re-read only when it changes on disk. Pinned keys are
 * appended in OpenSSH's format, so the same file works with `ssh -o UserKnownHostsFile`.
 */
export class KnownHostsFile implements HostKeyStore {
  /** Indexed: a kept connection asks before every check, and a file may list 100,000 hosts. */
  private index = new KnownHostsIndex([]);
  private loadedStamp: string | undefined;

  constructor(readonly path: string) {}

  private refresh(): void {
    let stamp: string;
    try {
      const stat = statSync(this.path);
      stamp = `${stat.mtimeMs}:${stat.size}`;
    } catch {
      this.index = new KnownHostsIndex([]);
      this.loadedStamp = undefined;
      return;
    }
    if (stamp === this.loadedStamp) return;
    this.index = new KnownHostsIndex(parseKnownHosts(readFileSync(this.path, "utf8")));
    this.loadedStamp = stamp;
  }

  lookup(address: string, port: number): KnownHostsMatch {
    this.refresh();
    return this.index.lookup(address, port);
  }

  pin(address: string, port: number, key: Buffer): void {
    const type = keyTypeOfBlob(key) ?? "unknown";
    mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
    appendFileSync(this.path, `${knownHostsName(address, port)} ${type} ${key.toString("base64")}\n`, { mode: 0o600 });
  }
}

/** One store per file path, shared by every check in the process. */
const files = new Map<string, KnownHostsFile>();
export function knownHostsFile(path: string): KnownHostsFile {
  let file = files.get(path);
  if (!file) files.set(path, (file = new KnownHostsFile(path)));
  return file;
}
