import { readFileSync, statSync } from "node:fs";
import ssh2, { type ParsedKey } from "ssh2";
import { resolveSecret } from "../config/interpolate.js";
import type { FileFault } from "../result/monitor-fault.js";
import type { Result } from "../util/result.js";
import { err, ok } from "../util/result.js";

/** A key file that could not be used: the monitor's fault, named by file and cause. */
export type KeyLoadFault = FileFault & { kind: "private_key" };

interface CachedKey {
  /** The file's identity and modification time when it was read. */
  stamp: string;
  key: ParsedKey;
}

const cache = new Map<string, CachedKey>();

const fault = (file: string, cause: string, reason: string): KeyLoadFault => ({ kind: "private_key", file, cause, reason });

/** Changes when the file is rewritten or replaced (a secret volume swaps a symlink). */
function stampOf(path: string): Result<string, KeyLoadFault> {
  try {
    const stat = statSync(path);
    return ok(`${stat.dev}:${stat.ino}:${stat.mtimeMs}:${stat.size}`);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? "error";
    return err(fault(path, code, `cannot read key file ${path} (${code}); check ssh.key and that the file is mounted and readable by the worker`));
  }
}

/**
 * Reads and decrypts a private key file (RSA, Ed25519, ECDSA; OpenSSH, PEM or PPK). A key
 * that loaded is kept while the file keeps its identity and modification time; a failure
 * is never kept, so a key mounted or fixed after the worker started is picked up by the
 * next check. The passphrase is a `${...}` reference, resolved here and nowhere else.
 */
export function loadPrivateKey(path: string, passphraseRef: string | undefined): Result<ParsedKey, KeyLoadFault> {
  const stamp = stampOf(path);
  if (!stamp.ok) return stamp;
  const cacheKey = `${path}\u0000${passphraseRef ?? ""}`;
  const cached = cache.get(cacheKey);
  if (cached?.stamp === stamp.value) return ok(cached.key);
  const result = readKey(path, passphraseRef);
  if (result.ok) cache.set(cacheKey, { stamp: stamp.value, key: result.value });
  else cache.delete(cacheKey);
  return result;
}

function readKey(path: string, passphraseRef: string | undefined): Result<ParsedKey, KeyLoadFault> {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code ?? "error";
    return err(fault(path, code, `cannot read key file ${path} (${code}); check ssh.key and that the file is mounted and readable by the worker`));
  }
  let passphrase: string | undefined;
  if (passphraseRef !== undefined) {
    const resolved = resolveSecret(passphraseRef);
    if (!resolved.ok) return err(fault(path, "passphrase_unresolved", `key passphrase for ${path}: ${resolved.error}`));
    passphrase = resolved.value;
  }
  const parsed = ssh2.utils.parseKey(data, passphrase);
  if (parsed instanceof Error) {
    if (/encrypted|passphrase|bad decrypt/i.test(parsed.message)) {
      return passphrase === undefined
        ? err(fault(path, "passphrase_missing", `key file ${path} is encrypted and no ssh.passphrase is set`))
        : err(fault(path, "passphrase_wrong", `key file ${path} is encrypted and the passphrase is wrong`));
    }
    return err(fault(path, "unparseable", `cannot parse key file ${path}: ${parsed.message}`));
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || !key.isPrivateKey()) return err(fault(path, "no_private_key", `key file ${path} holds no private key`));
  return ok(key);
}

/** Forget parsed keys (after a config reload that may have changed files). */
export function clearPrivateKeyCache(): void {
  cache.clear();
}
