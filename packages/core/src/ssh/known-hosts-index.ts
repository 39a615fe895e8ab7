import { createHmac } from "node:crypto";
import type { KnownHostEntry, KnownHostsMatch } from "./known-hosts.js";
import { knownHostsName, wildcardToRegExp } from "./known-hosts.js";

/** Past this many remembered hashed lookups the memo starts over (one per host checked). */
const MAX_HASHED_MEMO = 100_000;

interface PatternEntry {
  index: number;
  patterns: { negated: boolean; regexp: RegExp }[];
}

/**
 * The entries of one version of a known_hosts file, ready to answer lookups without a scan:
 * plain names (`web-1`, `[10.0.0.2]:2222`) from a map; hashed `|1|` entries, which take an
 * HMAC each to test, once per host name, then from a memo; only wildcard and negated
 * patterns (usually a handful) are tested on every lookup. Build a new index when the file
 * changes: the memo belongs to the version it was computed from.
 */
export class KnownHostsIndex {
  /** Entries tested one by one so far (a wildcard line or one HMAC each), for tests and benchmarks. */
  comparisons = 0;
  private readonly entries: KnownHostEntry[] = [];
  private readonly byName = new Map<string, number[]>();
  private readonly withPatterns: PatternEntry[] = [];
  private readonly hashed: number[] = [];
  private readonly hashedMemo = new Map<string, number[]>();

  constructor(entries: readonly KnownHostEntry[]) {
    for (const entry of entries) this.add(entry);
  }

  get size(): number {
    return this.entries.length;
  }

  /** Adds a line, as when a key is pinned; it goes to the end, as in the file. */
  add(entry: KnownHostEntry): void {
    const index = this.entries.push(entry) - 1;
    if (entry.hashed) {
      this.hashed.push(index);
      // Lookups remembered before this line was added may now be incomplete.
      this.hashedMemo.clear();
      return;
    }
    const plain = entry.patterns.every((p) => !p.startsWith("!") && !/[*?]/.test(p));
    if (plain) {
      for (const name of new Set(entry.patterns.map((p) => p.toLowerCase()))) {
        const list = this.byName.get(name);
        if (list) list.push(index);
        else this.byName.set(name, [index]);
      }
      return;
    }
    this.withPatterns.push({
      index,
      patterns: entry.patterns.map((p) => {
        const negated = p.startsWith("!");
        return { negated, regexp: wildcardToRegExp(negated ? p.slice(1) : p) };
      }),
    });
  }

  /** Every key the file holds for a host, in file order, like OpenSSH's lookup. */
  lookup(address: string, port: number): KnownHostsMatch {
    const name = knownHostsName(address, port);
    const found = [...(this.byName.get(name.toLowerCase()) ?? []), ...this.hashedMatches(name)];
    for (const entry of this.withPatterns) {
      this.comparisons += 1;
      if (patternsMatch(entry.patterns, name)) found.push(entry.index);
    }
    found.sort((a, b) => a - b);
    const match: KnownHostsMatch = { keys: [], revoked: [] };
    for (const index of found) {
      const entry = this.entries[index]!;
      if (entry.marker === "revoked") match.revoked.push(entry.key);
      else if (entry.marker === "cert-authority") match.certAuthorityLine ??= entry.line;
      else match.keys.push({ keyType: entry.keyType, key: entry.key });
    }
    return match;
  }

  private hashedMatches(name: string): number[] {
    if (this.hashed.length === 0) return [];
    const memo = this.hashedMemo.get(name);
    if (memo) return memo;
    const matches: number[] = [];
    for (const index of this.hashed) {
      this.comparisons += 1;
      const { salt, hash } = this.entries[index]!.hashed!;
      if (createHmac("sha1", salt).update(name).digest().equals(hash)) matches.push(index);
    }
    if (this.hashedMemo.size >= MAX_HASHED_MEMO) this.hashedMemo.clear();
    this.hashedMemo.set(name, matches);
    return matches;
  }
}

/** A line matches when one of its patterns does and none of its negated ones does. */
function patternsMatch(patterns: readonly { negated: boolean; regexp: RegExp }[], name: string): boolean {
  let matched = false;
  for (const { negated, regexp } of patterns) {
    if (!regexp.test(name)) continue;
    if (negated) return false;
    matched = true;
  }
  return matched;
}

/** Every key known_hosts holds for a host (a one-off lookup; keep an index for many). */
export function lookupKnownHost(entries: readonly KnownHostEntry[], address: string, port: number): KnownHostsMatch {
  return new KnownHostsIndex(entries).lookup(address, port);
}
