import { formatIssues, loadFleetConfig } from "@fleetwatch/core";
import type { CliIo } from "../cli-io.js";

/** `fleetwatch config validate FILE`: 0 when the file is usable, 1 with every problem listed. */
export function configValidateCommand(file: string, io: CliIo): number {
  const loaded = loadFleetConfig(file, { resolveSecrets: true });
  if (!loaded.ok) {
    io.stderr.write(`${formatIssues(file, loaded.error)}\n`);
    return 1;
  }
  const { hosts, version } = loaded.value;
  io.stdout.write(`${file}: valid — ${hosts.length} host${hosts.length === 1 ? "" : "s"} (config version ${version})\n`);
  return 0;
}
