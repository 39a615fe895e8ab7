import { z } from "zod";
import { fleetSchema } from "./fleet-schema.js";

/** JSON Schema of fleet.yaml as a user writes it (durations as text, thresholds as number or pair). */
export function fleetJsonSchema(): Record<string, unknown> {
  return {
    ...z.toJSONSchema(fleetSchema, { io: "input", unrepresentable: "any" }),
    $id: "https://fleetwatch.dev/schema/fleet.schema.json",
    title: "fleetwatch fleet file",
  };
}

export const FLEET_JSON_SCHEMA_FILE = "fleet.schema.json";

export function renderFleetJsonSchema(): string {
  return `${JSON.stringify(fleetJsonSchema(), null, 2)}\n`;
}
