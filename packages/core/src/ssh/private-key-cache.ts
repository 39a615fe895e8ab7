import { readFileSync } from "node:fs";
import ssh2, { type ParsedKey } from "ssh2";
import { resolveSecret } from "../config/interpolate.js";
import type { Result } from "../util/result.js";
import { err, ok } from "../util/result.js";

const cache = new Map<string, Result<ParsedKey, string>>();

/**
 * Reads and decrypts a private key file once per process (RSA, Ed25519, ECDSA; OpenSSH,
 * PEM or PPK). The passphrase is a `${...}` reference, resolved here and nowhere else.
 */
export function loadPrivateKey(path: string, passphraseRef: string | undefined): Result<ParsedKey, string> {
  const cacheKey = `${path}\u0000${passphraseRef ?? ""}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  const result = readKey(path, passphraseRef);
  cache.set(cacheKey, result);
  return result;
}

function readKey(path: string, passphraseRef: string | undefined): Result<ParsedKey, string> {
  let data: Buffer;
  try {
    data = readFileSync(path);
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    return err(`cannot read key file ${path} (${code}); check ssh.key`);
  }
  let passphrase: string | undefined;
  if (passphraseRef !== undefined) {
    const resolved = resolveSecret(passphraseRef);
    if (!resolved.ok) return err(`key passphrase for ${path}: ${resolved.error}`);
    passphrase = resolved.value;
  }
  const parsed = ssh2.utils.parseKey(data, passphrase);
  if (parsed instanceof Error) {
    const encrypted = /encrypted|passphrase/i.test(parsed.message);
    return err(
      encrypted
        ? `key file ${path} is encrypted and ${passphrase === undefined ? "no ssh.passphrase is set" : "the passphrase is wrong"}`
        : `cannot parse key file ${path}: ${parsed.message}`,
    );
  }
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || !key.isPrivateKey()) return err(`key file ${path} holds no private key`);
  return ok(key);
}

/** Forget parsed keys (after a config reload that may have changed files). */
export function clearPrivateKeyCache(): void {
  cache.clear();
}
