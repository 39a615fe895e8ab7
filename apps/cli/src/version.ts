import { fleetwatchVersion } from "@fleetwatch/core";

/** `fleetwatch 0.1.0`: the version every part shares, as the pipeline apps print it. */
export function versionLine(): string {
  return `fleetwatch ${fleetwatchVersion()}`;
}
