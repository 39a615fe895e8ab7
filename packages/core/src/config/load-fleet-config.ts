import { createHash } from "node:crypto";
import { closeSync, fstatSync, openSync, readSync } from "node:fs";
import type { Result } from "../util/result.js";
import { err, ok } from "../util/result.js";
import type { ConfigIssue } from "./config-issue.js";
import { formatPath, uniqueIssues } from "./config-issue.js";
import { decodeUtf8 } from "./decode-utf8.js";
import { FLEET_FILE_MAX_BYTES, tooLargeMessage } from "./fleet-file-limits.js";
import { parseYaml } from "./parse-yaml.js";
import type { FleetConfig } from "./fleet-schema.js";
import { fleetSchema } from "./fleet-schema.js";
import { checkHostReferences } from "./host-references.js";
import type { Env } from "./interpolate.js";
import { interpolateTree, isSecretReference, resolveSecret } from "./interpolate.js";
import type { ResolvedHost } from "./resolved-host.js";
import { resolveHosts } from "./resolve-hosts.js";
import { zodIssuesToConfigIssues } from "./zod-issues.js";

/** Keys whose values are secrets: kept as `${...}` references, resolved only where used. */
export const SECRET_KEYS: ReadonlySet<string> = new Set(["passphrase", "webhook", "secret"]);

export interface LoadedFleet {
  file: string;
  /** Short content hash: which config produced a job or a result. */
  version: string;
  config: FleetConfig;
  hosts: ResolvedHost[];
}

export interface LoadOptions {
  env?: Env;
  /** Also check that every secret reference can be read here (for `config validate` and `check`). */
  resolveSecrets?: boolean;
}

/** Parses YAML text into a validated fleet; every problem is reported, none thrown. */
export function parseFleetConfig(text: string, file: string, options: LoadOptions = {}): Result<LoadedFleet, ConfigIssue[]> {
  const env = options.env ?? process.env;
  const bytes = Buffer.byteLength(text);
  if (bytes > FLEET_FILE_MAX_BYTES) return err([{ path: "", message: tooLargeMessage(bytes) }]);
  // `${VAR}` is not valid YAML inside a flow map (`{ passphrase: ${KEY_PASS} }`): park each
  // reference behind a plain-scalar placeholder while YAML parses, then put it back.
  const references: string[] = [];
  const shielded = text.replace(/\$\{[^}\s]*\}/g, (ref) => `__fwref${references.push(ref) - 1}__`);
  const yaml = parseYaml(shielded);
  if (!yaml.ok) return yaml;
  const raw = restoreReferences(yaml.value, references);
  if (raw === null || raw === undefined) return err([{ path: "", message: "the file is empty; it needs at least `hosts:`" }]);
  const { value, issues: interpolation } = interpolateTree(raw, env, SECRET_KEYS);
  const parsed = fleetSchema.safeParse(value, { reportInput: true });
  const interpolationIssues = interpolation.map((i) => ({ path: formatPath(i.path), message: i.message }));
  const badReferences = new Set(interpolationIssues.map((i) => i.path));
  const issues: ConfigIssue[] = [
    ...interpolationIssues,
    ...(parsed.success ? [] : zodIssuesToConfigIssues(parsed.error.issues).filter((i) => !badReferences.has(i.path))),
    ...checkHostReferences(value),
  ];
  if (options.resolveSecrets) issues.push(...checkSecretsReadable(value, env));
  if (issues.length > 0 || !parsed.success) return err(uniqueIssues(issues));
  const version = createHash("sha256").update(text).digest("hex").slice(0, 12);
  return ok({ file, version, config: parsed.data, hosts: resolveHosts(parsed.data) });
}

export function loadFleetConfig(file: string, options: LoadOptions = {}): Result<LoadedFleet, ConfigIssue[]> {
  let bytes: Buffer;
  try {
    // The size is checked on the open file before it is read, and the read itself stops past
    // the cap (a device or a pipe has no size): a huge or endless file is never loaded.
    const fd = openSync(file, "r");
    try {
      const { size } = fstatSync(fd);
      if (size > FLEET_FILE_MAX_BYTES) return err([{ path: "", message: tooLargeMessage(size) }]);
      const read = readAtMost(fd, FLEET_FILE_MAX_BYTES);
      if (!read) return err([{ path: "", message: tooLargeMessage() }]);
      bytes = read;
    } finally {
      closeSync(fd);
    }
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    const hint = code === "ENOENT" ? "no such file; pass the path of your fleet.yaml with -c" : `cannot read it (${code})`;
    return err([{ path: "", message: hint }]);
  }
  const text = decodeUtf8(bytes);
  if (!text.ok) return text;
  return parseFleetConfig(text.value, file, options);
}

/** The whole content of `fd`, or undefined when it is longer than `max` bytes. */
function readAtMost(fd: number, max: number): Buffer | undefined {
  const chunks: Buffer[] = [];
  let total = 0;
  for (;;) {
    const chunk = Buffer.allocUnsafe(Math.min(1 << 20, max + 1 - total));
    const n = readSync(fd, chunk, 0, chunk.length, null);
    if (n === 0) return Buffer.concat(chunks, total);
    chunks.push(chunk.subarray(0, n));
    total += n;
    if (total > max) return undefined;
  }
}

function restoreReferences(node: unknown, references: readonly string[]): unknown {
  const restore = (text: string) => text.replace(/__fwref(\d+)__/g, (whole, i: string) => references[Number(i)] ?? whole);
  if (typeof node === "string") return restore(node);
  if (Array.isArray(node)) return node.map((item) => restoreReferences(item, references));
  if (node !== null && typeof node === "object") {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [restore(k), restoreReferences(v, references)]));
  }
  return node;
}

function checkSecretsReadable(node: unknown, env: Env, path: PropertyKey[] = []): ConfigIssue[] {
  if (typeof node === "string") {
    const key = path[path.length - 1];
    if (typeof key !== "string" || !SECRET_KEYS.has(key) || !isSecretReference(node)) return [];
    const resolved = resolveSecret(node, env);
    return resolved.ok ? [] : [{ path: formatPath(path), message: resolved.error }];
  }
  if (Array.isArray(node)) return node.flatMap((item, i) => checkSecretsReadable(item, env, [...path, i]));
  if (node !== null && typeof node === "object") {
    return Object.entries(node).flatMap(([k, v]) => checkSecretsReadable(v, env, [...path, k]));
  }
  return [];
}
