import { appendFileSync, mkdirSync, readFileSync, statSync } from "node:fs";
import { dirname } from "node:path";
import type { FileFault } from "../result/monitor-fault.js";
import type { Result } from "../util/result.js";
import { err, ok } from "../util/result.js";
import type { KnownHostsMatch } from "./known-hosts.js";
import { keyTypeOfBlob, knownHostsName, parseKnownHosts } from "./known-hosts.js";
import { KnownHostsIndex } from "./known-hosts-index.js";

/** The known_hosts file could not be read or written: the monitor's fault. */
export type KnownHostsFault = FileFault & { kind: "known_hosts" };

/** Where host keys are looked up and, with tofu, pinned. */
export interface HostKeyStore {
  /**
   * Keys held for a host. A store that cannot be read says why; `cause: "ENOENT"` means it
   * does not exist yet (empty, for tofu).
   */
  lookup(address: string, port: number): Result<KnownHostsMatch, KnownHostsFault>;
  /** Remembers the first key seen for a host (tofu). */
  pin(address: string, port: number, key: Buffer): Result<void, KnownHostsFault>;
}

const errnoOf = (cause: unknown) => (cause as NodeJS.ErrnoException).code ?? "error";

/** Identity, size and modification time: changes whenever the content may have. */
const stampOf = (stat: { dev: number; ino: number; mtimeMs: number; size: number }) => `${stat.dev}:${stat.ino}:${stat.mtimeMs}:${stat.size}`;

/**
 * A known_hosts file, read and indexed once and again only when it changes on disk. Pinned
 * keys are appended in OpenSSH's format, so the same file works with
 * `ssh -o UserKnownHostsFile`.
 */
export class KnownHostsFile implements HostKeyStore {
  private index: KnownHostsIndex | undefined;
  private loadedStamp: string | undefined;
  private loadedSize = 0;
  private lines = 0;
  private endsWithNewline = true;
  private retiredComparisons = 0;

  constructor(readonly path: string) {}

  private fault(cause: string, reason: string): KnownHostsFault {
    return { kind: "known_hosts", file: this.path, cause, reason };
  }

  private readFault(code: string): KnownHostsFault {
    if (code === "ENOENT") return this.fault(code, `known_hosts file ${this.path} does not exist; create it (ssh-keyscan) or fix ssh.knownHosts`);
    const why = code === "EISDIR" ? "it is a directory" : code === "EACCES" ? "permission denied for the worker's user" : code;
    return this.fault(code, `cannot read known_hosts file ${this.path} (${why}); fix ssh.knownHosts or the file's permissions`);
  }

  /** The index of the file as it is now. A file that cannot be read is an error, never "empty". */
  private current(): Result<KnownHostsIndex, KnownHostsFault> {
    let stamp: string;
    try {
      stamp = stampOf(statSync(this.path));
    } catch (cause) {
      return err(this.readFault(errnoOf(cause)));
    }
    if (this.index && stamp === this.loadedStamp) return ok(this.index);
    let text: string;
    try {
      text = readFileSync(this.path, "utf8");
    } catch (cause) {
      return err(this.readFault(errnoOf(cause)));
    }
    this.retiredComparisons += this.index?.comparisons ?? 0;
    this.index = new KnownHostsIndex(parseKnownHosts(text));
    this.loadedStamp = stamp;
    this.loadedSize = Buffer.byteLength(text);
    this.lines = text === "" ? 0 : text.split("\n").length - (text.endsWith("\n") ? 1 : 0);
    this.endsWithNewline = text === "" || text.endsWith("\n");
    return ok(this.index);
  }

  /** Entries tested one by one by every lookup so far (see KnownHostsIndex), for tests and benchmarks. */
  get comparisons(): number {
    return this.retiredComparisons + (this.index?.comparisons ?? 0);
  }

  lookup(address: string, port: number): Result<KnownHostsMatch, KnownHostsFault> {
    const index = this.current();
    return index.ok ? ok(index.value.lookup(address, port)) : index;
  }

  pin(address: string, port: number, key: Buffer): Result<void, KnownHostsFault> {
    const keyType = keyTypeOfBlob(key) ?? "unknown";
    const name = knownHostsName(address, port);
    const line = `${name} ${keyType} ${key.toString("base64")}\n`;
    // Know the file as it is now (and whether its last line is finished) before adding to it.
    const now = this.current();
    if (!now.ok && now.error.cause !== "ENOENT") return now;
    const exists = now.ok;
    const text = exists && !this.endsWithNewline ? `\n${line}` : line;
    const sizeBefore = exists ? this.loadedSize : 0;
    try {
      mkdirSync(dirname(this.path), { recursive: true, mode: 0o700 });
      appendFileSync(this.path, text, { mode: 0o600 });
    } catch (cause) {
      const code = errnoOf(cause);
      return err(
        this.fault(code, `cannot pin the host key of ${name}: writing known_hosts file ${this.path} failed (${code}); nothing was run. Make it writable for the worker's user`),
      );
    }
    // Keep the index current without reading the file again, unless someone else wrote to it too.
    try {
      const after = statSync(this.path);
      if (after.size === sizeBefore + Buffer.byteLength(text)) {
        const index = exists && this.index ? this.index : new KnownHostsIndex([]);
        this.lines = (exists ? this.lines : 0) + 1;
        index.add({ patterns: [name], keyType, key, line: this.lines });
        this.index = index;
        this.loadedStamp = stampOf(after);
        this.loadedSize = after.size;
        this.endsWithNewline = true;
      }
    } catch {
      // Read again on the next lookup.
    }
    return ok(undefined);
  }
}

/** One store per file path, shared by every check in the process. */
const files = new Map<string, KnownHostsFile>();
export function knownHostsFile(path: string): KnownHostsFile {
  let file = files.get(path);
  if (!file) files.set(path, (file = new KnownHostsFile(path)));
  return file;
}
