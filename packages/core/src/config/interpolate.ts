import { readFileSync } from "node:fs";
import type { Result } from "../util/result.js";
import { err, ok } from "../util/result.js";
import { registerSecret } from "../log/secret-scrubber.js";

const REFERENCE = /\$\{([^}]*)\}/g;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const WHOLE_REFERENCE = /^\$\{([^}]*)\}$/;

export type Env = Readonly<Record<string, string | undefined>>;

/** Reads one `${VAR}` or `${file:/path}` reference. */
function resolveReference(inner: string, env: Env): Result<string, string> {
  if (inner.startsWith("file:")) {
    const path = inner.slice("file:".length);
    if (!path.startsWith("/")) return err(`\${file:${path}} needs an absolute path`);
    try {
      return ok(readFileSync(path, "utf8").replace(/\r?\n$/, ""));
    } catch (cause) {
      const code = (cause as NodeJS.ErrnoException).code ?? "error";
      return err(`cannot read secret file ${path} (${code}); create it or fix the path`);
    }
  }
  if (!ENV_NAME.test(inner)) return err(`\${${inner}} is not a valid reference: use \${ENV_VAR} or \${file:/path}`);
  const value = env[inner];
  if (value === undefined) return err(`environment variable ${inner} is not set; export it or use \${file:/path}`);
  return ok(value);
}

/** Replaces every `${VAR}` / `${file:/path}` in a string. */
export function interpolateString(text: string, env: Env): Result<string, string> {
  let failure: string | undefined;
  const value = text.replace(REFERENCE, (_whole, inner: string) => {
    const resolved = resolveReference(inner, env);
    if (resolved.ok) return resolved.value;
    failure ??= resolved.error;
    return "";
  });
  return failure === undefined ? ok(value) : err(failure);
}

/** True when the text is exactly one reference: how secrets must be written in config. */
export function isSecretReference(text: string): boolean {
  const match = WHOLE_REFERENCE.exec(text);
  return match !== null && (match[1]!.startsWith("file:") || ENV_NAME.test(match[1]!));
}

/**
 * A secret stays a reference (`${KEY_PASS}`) in loaded config and job data; it is read
 * only where it is used, so its value never travels or gets logged.
 */
export function resolveSecret(reference: string, env: Env = process.env): Result<string, string> {
  const match = WHOLE_REFERENCE.exec(reference);
  if (!match) return err("a secret must be written as ${ENV_VAR} or ${file:/path}");
  const resolved = resolveReference(match[1]!, env);
  if (resolved.ok) registerSecret(resolved.value);
  return resolved;
}

export interface InterpolationIssue {
  path: PropertyKey[];
  message: string;
}

/**
 * Walks parsed YAML and interpolates string values in place (on a copy). Keys listed in
 * `secretKeys` are left as references, but must be written as one.
 */
export function interpolateTree(
  node: unknown,
  env: Env,
  secretKeys: ReadonlySet<string>,
  path: PropertyKey[] = [],
  issues: InterpolationIssue[] = [],
): { value: unknown; issues: InterpolationIssue[] } {
  if (typeof node === "string") {
    const key = path[path.length - 1];
    if (typeof key === "string" && secretKeys.has(key)) {
      if (!isSecretReference(node)) {
        issues.push({ path, message: "secrets are never written in the fleet file: use ${ENV_VAR} or ${file:/path}" });
      }
      return { value: node, issues };
    }
    const result = interpolateString(node, env);
    if (!result.ok) issues.push({ path, message: result.error });
    return { value: result.ok ? result.value : node, issues };
  }
  if (Array.isArray(node)) {
    return { value: node.map((item, i) => interpolateTree(item, env, secretKeys, [...path, i], issues).value), issues };
  }
  if (node !== null && typeof node === "object") {
    const out: Record<string, unknown> = {};
    for (const [key, child] of Object.entries(node)) {
      out[key] = interpolateTree(child, env, secretKeys, [...path, key], issues).value;
    }
    return { value: out, issues };
  }
  return { value: node, issues };
}
