/**
 * Text that comes from hosts (hostnames, mount paths, process names, messages) cannot
 * break DingTalk markdown or ring anyone: markdown characters are escaped and `@` becomes
 * a full-width `＠` (DingTalk rings a mobile only when `@mobile` is in the text).
 */
export function escapeMarkdown(text: string): string {
  return text
    .replace(/[\\`*_{}[\]()#+!|>~<]/g, (c) => `\\${c}`)
    .replace(/@/g, "＠")
    .replace(/[\r\n]+/g, " ");
}
