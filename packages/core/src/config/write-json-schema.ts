import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { FLEET_JSON_SCHEMA_FILE, renderFleetJsonSchema } from "./fleet-json-schema.js";

/** `npm run schema`: regenerates packages/core/fleet.schema.json from the zod schema. */
const target = fileURLToPath(new URL(`../../${FLEET_JSON_SCHEMA_FILE}`, import.meta.url));
writeFileSync(target, renderFleetJsonSchema());
console.log(`wrote ${target}`);
