/**
 * Text that comes from hosts (hostnames, mount paths, process names, reasons) cannot break
 * DingTalk markdown or ring anyone. DingTalk's markdown has no escape syntax (a backslash is
 * shown as typed), so the few characters it treats as markup become look-alikes that render
 * cleanly: `*` emphasis, `_` emphasis, `` ` `` code, `[` `]` links and images, `~` strike,
 * `<` `>` HTML (`<font>`) and quotes. Parentheses, `#`, `+`, `!` and `|` are left alone: in
 * the middle of a line they are not markup (DingTalk has no tables). `@` becomes a full-width
 * `＠`, as DingTalk rings a mobile when `@mobile` is in the text.
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

export function escapeMarkdown(text: string): string {
  return text.replace(/[*_`[\]~<>@]/g, (c) => LOOK_ALIKE[c]!).replace(/[\r\n]+/g, " ");
}
