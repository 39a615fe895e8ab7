import { checkReferencedFiles, formatIssues, loadFleetConfig } from "@fleetwatch/core";
import type { CliIo } from "../cli-io.js";

/**
 * `fleetwatch config validate FILE`: 0 when the file is usable, 1 with every problem listed.
 * Key and known_hosts files this machine cannot read are warnings: the exit code stays 0,
 * since the workers may run elsewhere.
 */
export function configValidateCommand(file: string, io: CliIo): number {
  const loaded = loadFleetConfig(file, { resolveSecrets: true });
  if (!loaded.ok) {
    io.stderr.write(`${formatIssues(file, loaded.error)}\n`);
    return 1;
  }
  const { hosts, version } = loaded.value;
  for (const warning of checkReferencedFiles(loaded.value)) io.stderr.write(`warning: ${warning.path}: ${warning.message}\n`);
  io.stdout.write(`${file}: valid — ${hosts.length} host${hosts.length === 1 ? "" : "s"} (config version ${version})\n`);
  return 0;
}
