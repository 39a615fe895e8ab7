/** Where a line of output goes: the terminal, or a test's buffer. */
export type Write = (line: string) => void;

const INDENT = " ".repeat(10);

/**
 * The demo's clock and voice: every line it prints carries the time since the demo started
 * (`+12.3s`), so what it did and what the robot received read as one timeline.
 */
export class Timeline {
  readonly startedAt = Date.now();

  constructor(private readonly write: Write = (line) => process.stdout.write(`${line}\n`)) {}

  /** `+12.3s`, right-aligned, for a moment since the start. */
  stamp(at = Date.now()): string {
    return `+${((at - this.startedAt) / 1000).toFixed(1)}s`.padStart(7);
  }

  /** One event of the story. */
  say(text: string, at = Date.now()): void {
    this.write(`${this.stamp(at)}   ${text}`);
  }

  /** A chapter of the story, set apart by a blank line. */
  chapter(title: string): void {
    this.write("");
    this.write(`${this.stamp()}   ━━ ${title}`);
  }

  /** A command as typed at a shell prompt. */
  command(text: string): void {
    this.say(`$ ${text}`);
  }

  /** Lines belonging to the event above (a command's output, a message's text), indented under it. */
  detail(text: string, prefix = "  "): void {
    for (const line of text.replace(/\n+$/, "").split("\n")) this.write(`${INDENT}${prefix}${line}`);
  }

  /** A line with no time: set-up notes, instructions. */
  plain(text = ""): void {
    this.write(text);
  }
}
