import type { Logger } from "pino";
import type { LoadedFleet } from "../config/load-fleet-config.js";
import { loadFleetConfig } from "../config/load-fleet-config.js";
import { clearPrivateKeyCache } from "../ssh/private-key-cache.js";

/**
 * The running config, swapped whole on SIGHUP. A bad new file is refused with its problems
 * logged, and the old config keeps running.
 */
export class ConfigHolder {
  private listeners: ((next: LoadedFleet, previous: LoadedFleet) => void)[] = [];

  private constructor(
    private readonly file: string,
    private loaded: LoadedFleet,
    private readonly log: Logger,
  ) {}

  static load(file: string, log: Logger): ConfigHolder | undefined {
    const loaded = loadFleetConfig(file);
    if (!loaded.ok) {
      for (const issue of loaded.error) log.error({ path: issue.path, problem: issue.message }, "config problem");
      log.fatal({ file, problems: loaded.error.length }, "cannot start: the config has problems (run: fleetwatch config validate FILE)");
      return undefined;
    }
    return new ConfigHolder(file, loaded.value, log);
  }

  get current(): LoadedFleet {
    return this.loaded;
  }

  onChange(listener: (next: LoadedFleet, previous: LoadedFleet) => void): void {
    this.listeners.push(listener);
  }

  /** Re-reads the file; returns whether the new config is now in force. */
  reload(): boolean {
    const loaded = loadFleetConfig(this.file);
    if (!loaded.ok) {
      for (const issue of loaded.error) this.log.error({ path: issue.path, problem: issue.message }, "config problem");
      this.log.error({ file: this.file, version: this.loaded.version }, "reload refused: the new config has problems; the old one keeps running");
      return false;
    }
    const previous = this.loaded;
    this.loaded = loaded.value;
    clearPrivateKeyCache();
    this.log.info({ file: this.file, version: loaded.value.version, previous: previous.version, hosts: loaded.value.hosts.length }, "config reloaded");
    for (const listener of this.listeners) listener(loaded.value, previous);
    return true;
  }

  /** SIGHUP reloads. */
  watchSignals(): void {
    process.on("SIGHUP", () => this.reload());
  }
}
