
/** One usable key line of a known_hosts file. */
export interface KnownHostEntry {
  patterns: string[];
  /** `|1|salt|hash` form: the pattern is hashed. */
  hashed?: { salt: Buffer; hash: Buffer };
  marker?: "revoked" | "cert-authority";
  keyType: string;
  key: Buffer;
  line: number;
}

export interface KnownHostsMatch {
  keys: { keyType: string; key: Buffer }[];
  revoked: Buffer[];
  /** A matching `@cert-authority` line: certificates are not supported, so it cannot vouch for the host. */
  certAuthorityLine?: number;
}

/** The name a host has in known_hosts: `host` on port 22, `[host]:port` otherwise. */
export function knownHostsName(address: string, port: number): string {
  return port === 22 ? address : `[${address}]:${port}`;
}

export function parseKnownHosts(text: string): KnownHostEntry[] {
  const entries: KnownHostEntry[] = [];
  text.split("\n").forEach((raw, index) => {
    const line = raw.trim();
    if (line === "" || line.startsWith("#")) return;
    const fields = line.split(/\s+/);
    let marker: KnownHostEntry["marker"];
    if (fields[0]?.startsWith("@")) {
      const name = fields.shift()!;
      if (name !== "@revoked" && name !== "@cert-authority") return;
      marker = name.slice(1) as KnownHostEntry["marker"];
    }
    const [hosts, keyType, keyBase64] = fields;
    if (!hosts || !keyType || !keyBase64) return;
    const key = Buffer.from(keyBase64, "base64");
    if (key.length === 0) return;
    const entry: KnownHostEntry = { patterns: hosts.split(","), keyType, key, line: index + 1 };
    if (marker) entry.marker = marker;
    if (hosts.startsWith("|1|")) {
      const [, , salt, hash] = hosts.split("|");
      if (!salt || !hash) return;
      entry.hashed = { salt: Buffer.from(salt, "base64"), hash: Buffer.from(hash, "base64") };
    }
    entries.push(entry);
  });
  return entries;
}

/** An OpenSSH host pattern (`*`, `?`) as an anchored, case-insensitive regular expression. */
export function wildcardToRegExp(pattern: string): RegExp {
  const body = pattern.replace(/[.+^${}()|[\]\\]/g, "\\$&").replace(/\*/g, ".*").replace(/\?/g, ".");
  return new RegExp(`^${body}$`, "i");
}

/** The key type written inside an SSH public key blob (`ssh-ed25519`, `ssh-rsa`…). */
export function keyTypeOfBlob(blob: Buffer): string | undefined {
  if (blob.length < 4) return undefined;
  const length = blob.readUInt32BE(0);
  if (length > 64 || blob.length < 4 + length) return undefined;
  return blob.subarray(4, 4 + length).toString("latin1");
}

/** ssh2 host-key algorithms that can produce a key of each known_hosts type. */
const ALGORITHMS_FOR_KEY_TYPE: Record<string, string[]> = {
  "ssh-ed25519": ["ssh-ed25519"],
  "ssh-rsa": ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"],
  "ecdsa-sha2-nistp256": ["ecdsa-sha2-nistp256"],
  "ecdsa-sha2-nistp384": ["ecdsa-sha2-nistp384"],
  "ecdsa-sha2-nistp521": ["ecdsa-sha2-nistp521"],
  "ssh-dss": ["ssh-dss"],
};

/** Offer only the algorithms whose keys we know, so the server presents a key we can check. */
export function hostKeyAlgorithmsFor(keyTypes: readonly string[]): string[] {
  const algorithms = keyTypes.flatMap((type) => ALGORITHMS_FOR_KEY_TYPE[type] ?? []);
  return [...new Set(algorithms)];
}
