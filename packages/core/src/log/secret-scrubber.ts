/** Secret values this process knows (resolved webhooks, signing secrets, passphrases, passwords). */
const secrets = new Set<string>();

/** Too short to scrub without mangling ordinary words; such secrets are weak anyway. */
const MIN_LENGTH = 6;

/**
 * Remembers a secret value so it never reaches a log line, whatever field or message it hides
 * in (see scrubSecrets). A URL's `access_token` / `token` / `sign` values are remembered on
 * their own too.
 */
export function registerSecret(value: string | undefined): void {
  if (!value || value.length < MIN_LENGTH || secrets.has(value)) return;
  secrets.add(value);
  const escaped = JSON.stringify(value).slice(1, -1);
  if (escaped !== value) secrets.add(escaped);
  if (/^https?:\/\//i.test(value)) {
    try {
      for (const [key, part] of new URL(value).searchParams) if (/token|secret|sign|key/i.test(key)) registerSecret(part);
    } catch {}
  }
}

/** Replaces every known secret in a text with `[redacted]`. */
export function scrubSecrets(text: string): string {
  let out = text;
  for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join("[redacted]");
  return out;
}
