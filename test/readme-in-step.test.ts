import { readFileSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const en = readFileSync(join(ROOT, "README.md"), "utf8");
const zh = readFileSync(join(ROOT, "README.zh-CN.md"), "utf8");

/** The commands and config of every fenced block, without comments (those are translated). */
const blocks = (text: string) =>
  [...text.matchAll(/```(\w+)\n([\s\S]*?)```/g)].map(([, lang, body]) => ({
    lang,
    lines: body!
      .split("\n")
      .map((line) => line.replace(/\s+#.*$/, "").trimEnd())
      .filter(Boolean),
  }));
const links = (text: string) => [...text.matchAll(/\]\(([^)#]+)\)/g)].map(([, href]) => href).filter((href) => href !== "README.md" && href !== "README.zh-CN.md");
const sections = (text: string) => [...text.matchAll(/^## /gm)].length;

describe("README.zh-CN.md is in step with README.md", () => {
  it("has the same commands and config blocks, in the same order", () => {
    expect(blocks(zh)).toEqual(blocks(en));
  });

  it("links the same documents and has the same sections", () => {
    expect([...new Set(links(zh))].sort()).toEqual([...new Set(links(en))].sort());
    expect(sections(zh)).toBe(sections(en));
  });

  it("names every binary and outcome the English one does", () => {
    for (const word of new Set([...en.matchAll(/`((?:fleetwatch|npm|npx)[^`]*|[a-z]+_[a-z_]+)`/g)].map(([, w]) => w!))) {
      expect(zh, word).toContain(`\`${word}\``);
    }
  });
});
