import type { KnownHostEntry, KnownHostsMatch } from "./known-hosts.js";
import { knownHostsName, lookupKnownHost } from "./known-hosts.js";

/**
 * known_hosts entries indexed by plain host name, so a 100,000-line file is not scanned per
 * host: lines whose patterns are all plain names are found by name; hashed, wildcard and
 * negated lines are still matched one by one, as OpenSSH does.
 */
export class KnownHostsIndex {
  private readonly byName = new Map<string, KnownHostEntry[]>();
  private readonly scanned: KnownHostEntry[] = [];

  constructor(entries: readonly KnownHostEntry[]) {
    for (const entry of entries) {
      const plain = !entry.hashed && entry.patterns.every((p) => !/[*?!]/.test(p));
      if (!plain) {
        this.scanned.push(entry);
        continue;
      }
      for (const pattern of new Set(entry.patterns.map((p) => p.toLowerCase()))) {
        let list = this.byName.get(pattern);
        if (!list) this.byName.set(pattern, (list = []));
        list.push(entry);
      }
    }
  }

  lookup(address: string, port: number): KnownHostsMatch {
    const named = this.byName.get(knownHostsName(address, port).toLowerCase()) ?? [];
    const candidates = this.scanned.length === 0 ? named : [...named, ...this.scanned].sort((a, b) => a.line - b.line);
    return lookupKnownHost(candidates, address, port);
  }
}
