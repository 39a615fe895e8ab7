/** DingTalk answers 460101 past 20,000 bytes of markdown; keep a margin for the title and mentions. */
export const DINGTALK_MAX_BYTES = 20_000;
export const SAFE_MESSAGE_BYTES = 18_000;

export const utf8Bytes = (text: string): number => Buffer.byteLength(text, "utf8");

/** Cuts text to at most `budget` UTF-8 bytes without splitting a character. */
function cutToBytes(text: string, budget: number): string {
  let cut = "";
  for (const ch of text) {
    if (utf8Bytes(cut) + utf8Bytes(ch) > budget) break;
    cut += ch;
  }
  return cut;
}

/**
 * Splits lines into groups that, with `reserved` bytes of header and footer, stay under
 * `maxBytes` UTF-8 bytes (Chinese text is 3 bytes a character). Splits at line boundaries;
 * a single line longer than the budget is cut at a character boundary.
 */
export function splitLines(lines: readonly string[], reserved: number, maxBytes = SAFE_MESSAGE_BYTES): string[][] {
  const budget = Math.max(256, maxBytes - reserved);
  const parts: string[][] = [[]];
  let used = 0;
  const push = (line: string) => {
    const size = utf8Bytes(line) + 1;
    if (used + size > budget && parts[parts.length - 1]!.length > 0) {
      parts.push([]);
      used = 0;
    }
    parts[parts.length - 1]!.push(line);
    used += size;
  };
  for (const original of lines) {
    let line = original;
    while (utf8Bytes(line) + 1 > budget) {
      const cut = cutToBytes(line, budget - 1);
      push(cut);
      line = line.slice(cut.length);
    }
    if (line !== "") push(line);
  }
  return parts.filter((part) => part.length > 0);
}

/**
 * Halves a markdown text at the line nearest its middle (by bytes), for a message DingTalk
 * found too long (460101). Undefined when it cannot be made smaller.
 */
export function splitInHalf(markdown: string): [string, string] | undefined {
  const lines = markdown.split("\n");
  if (lines.length < 2) {
    const chars = [...markdown];
    if (chars.length < 2) return undefined;
    const mid = Math.floor(chars.length / 2);
    return [chars.slice(0, mid).join(""), chars.slice(mid).join("")];
  }
  const total = utf8Bytes(markdown);
  let used = 0;
  let cut = 1;
  for (let i = 0; i < lines.length - 1; i++) {
    used += utf8Bytes(lines[i]!) + 1;
    cut = i + 1;
    if (used >= total / 2) break;
  }
  return [lines.slice(0, cut).join("\n"), lines.slice(cut).join("\n")];
}
