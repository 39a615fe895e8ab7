import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { FLEET_JSON_SCHEMA_FILE, renderFleetJsonSchema } from "./fleet-json-schema.js";

it("ships a JSON Schema that matches the zod schema (run `npm run schema` when this fails)", () => {
  const shipped = readFileSync(fileURLToPath(new URL(`../../${FLEET_JSON_SCHEMA_FILE}`, import.meta.url)), "utf8");
  expect(shipped).toBe(renderFleetJsonSchema());
});
