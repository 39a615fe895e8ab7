/**
 * Text that comes from hosts (hostnames, mount paths, process names, reasons) cannot break
 * DingTalk markdown or ring anyone. DingTalk's markdown has no escape syntax (a backslash is
 * shown as typed), so the few characters it treats as markup become look-alikes that render
 * cleanly: `*` emphasis, `_` emphasis, `` ` `` code, `[` `]` links and images, `~` strike,
 * `<` `>` HTML (`<font>`) and quotes. Parentheses, `#`, `+`, `!` and `|` are left alone: in
 * the middle of a line they are not markup (DingTalk has no tables). `@` becomes a full-width
 * `＠`, as DingTalk rings a mobile when `@mobile` is in the text.
 *
 * Paths and names stay copyable where no markup can start: an underscore inside a word
 * (`authorized_keys`, `known_hosts`) is not emphasis, and a single tilde (`~user`) is not a
 * strike (that takes `~~`); those are kept as typed.
 */
const LOOK_ALIKE: Record<string, string> = {
  "*": "∗",
  _: "＿",
  "`": "ˋ",
  "[": "［",
  "]": "］",
  "~": "∼",
  "<": "‹",
  ">": "›",
  "@": "＠",
};

const WORD = /[\p{L}\p{N}]/u;

export function escapeMarkdown(text: string): string {
  return text
    .replace(/[*_`[\]~<>@]/g, (c, at: number, all: string) => {
      const before = all[at - 1] ?? "";
      const after = all[at + 1] ?? "";
      if (c === "_" && WORD.test(before) && WORD.test(after)) return c;
      if (c === "~" && before !== "~" && after !== "~") return c;
      return LOOK_ALIKE[c]!;
    })
    .replace(/[\r\n]+/g, " ");
}
