import { readdirSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { expect, it } from "vitest";
import { loadFleetConfig } from "./load-fleet-config.js";

const dir = fileURLToPath(new URL("../../../../examples/", import.meta.url));

it.each(readdirSync(dir).filter((f) => f.endsWith(".yaml")))("examples/%s is a valid fleet file", (file) => {
  const result = loadFleetConfig(`${dir}${file}`, { env: { KEY_PASS: "example" } });
  expect(result.ok ? [] : result.error).toEqual([]);
});
