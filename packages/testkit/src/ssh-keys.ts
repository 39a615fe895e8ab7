import { readFileSync } from "node:fs";
import { findTool } from "./openssh-tools.js";
import { runOrThrow } from "./run-command.js";

export type KeyKind = "ed25519" | "rsa" | "ecdsa";

export interface KeyPair {
  kind: KeyKind;
  privatePath: string;
  /** `ssh-ed25519 AAAA… comment` */
  publicLine: string;
  passphrase?: string;
}

/** Generates a throwaway key with ssh-keygen: OpenSSH format, or PEM for `format: "pem"`. */
export async function generateKey(
  path: string,
  kind: KeyKind,
  options: { passphrase?: string; format?: "openssh" | "pem" } = {},
): Promise<KeyPair> {
  const args = ["-q", "-t", kind, "-N", options.passphrase ?? "", "-C", `fleetwatch-lab-${kind}`, "-f", path];
  if (kind === "rsa") args.push("-b", "2048");
  if (kind === "ecdsa") args.push("-b", "256");
  if (options.format === "pem") args.push("-m", "PEM");
  await runOrThrow(findTool("ssh-keygen", "openssh-client"), args);
  const pair: KeyPair = { kind, privatePath: path, publicLine: readFileSync(`${path}.pub`, "utf8").trim() };
  if (options.passphrase) pair.passphrase = options.passphrase;
  return pair;
}

/** One known_hosts line for a host key at address:port. */
export function knownHostsLine(address: string, port: number, publicLine: string): string {
  const [type, blob] = publicLine.split(/\s+/);
  const name = port === 22 ? address : `[${address}]:${port}`;
  return `${name} ${type} ${blob}`;
}

/** Hashes a known_hosts file in place with OpenSSH's own `ssh-keygen -H`. */
export async function hashKnownHosts(path: string): Promise<void> {
  await runOrThrow(findTool("ssh-keygen", "openssh-client"), ["-q", "-H", "-f", path]);
}
