import { mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";
import { FLEET_FILE_MAX_BYTES } from "./fleet-file-limits.js";
import { loadFleetConfig, parseFleetConfig } from "./load-fleet-config.js";

const dir = fileURLToPath(new URL("./fixtures/hostile/", import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith(".yaml")).sort();
const env = { DINGTALK_WEBHOOK: "https://oapi.dingtalk.com/robot/send?access_token=test" };

/** Each file's first line: `# refused: PATH | MESSAGE PART`. */
function expectation(file: string): { path: string; message: string } {
  const first = readFileSync(join(dir, file), "latin1").split("\n")[0]!;
  const match = /^# refused: (.+?) \| (.*)$/.exec(first);
  if (!match) throw new Error(`${file}: first line must be "# refused: PATH | MESSAGE PART"`);
  return { path: match[1] === "(file)" ? "" : match[1]!, message: match[2]!.trim() };
}

describe("hostile fleet files", () => {
  it("has at least 30 of them", () => {
    expect(files.length).toBeGreaterThanOrEqual(30);
  });

  it.each(files)("refuses %s with a message naming the field", (file) => {
    const { path, message } = expectation(file);
    const result = loadFleetConfig(join(dir, file), { env });
    expect(result.ok, "refused").toBe(false);
    if (result.ok) return;
    const shown = result.error.map((i) => `${i.path || "(file)"}: ${i.message}`);
    expect(result.error.some((i) => i.path === path && i.message.includes(message)), `one of:\n${shown.join("\n")}`).toBe(true);
  });

  it("states a size cap above a 100,000-host fleet file", () => {
    const lines = ["hosts:"];
    for (let i = 0; i < 100_000; i++) {
      lines.push(`  - { name: web-${String(i).padStart(6, "0")}.dc1.example.com, address: 10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}, group: web }`);
    }
    const bytes = Buffer.byteLength(lines.join("\n"));
    expect(bytes).toBeGreaterThan(7_000_000);
    expect(FLEET_FILE_MAX_BYTES).toBeGreaterThan(bytes * 3);
  });

  it("refuses a file over the size cap without reading it, and an endless one after the cap", () => {
    const tmp = mkdtempSync(join(tmpdir(), "fw-huge-"));
    try {
      const huge = join(tmp, "fleet.yaml");
      writeFileSync(huge, "hosts: []\n");
      truncateSync(huge, FLEET_FILE_MAX_BYTES + 1); // sparse: instant, and nothing to read
      const result = loadFleetConfig(huge);
      expect(result.ok ? [] : result.error).toEqual([{ path: "", message: expect.stringMatching(/above the 32 MiB limit for a fleet file/) }]);
      const endless = loadFleetConfig("/dev/zero");
      expect(endless.ok ? [] : endless.error).toEqual([{ path: "", message: expect.stringMatching(/goes on past the 32 MiB limit/) }]);
      const text = parseFleetConfig("#".repeat(FLEET_FILE_MAX_BYTES + 1), "big.yaml");
      expect(text.ok).toBe(false);
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
