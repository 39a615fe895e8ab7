/** At most `limit` holders at once; waiters are let in in the order they asked. */
export class Semaphore {
  private held = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private limit: number) {}

  /** Waits for a place; the returned function gives it back (once). */
  async acquire(): Promise<() => void> {
    if (this.held < this.limit) this.held++;
    else await new Promise<void>((resolve) => this.waiting.push(resolve));
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.held--;
      this.admit();
    };
  }

  /** A new limit (a config reload): more room lets waiters in at once; less takes effect as holders leave. */
  setLimit(limit: number): void {
    this.limit = limit;
    this.admit();
  }

  /** Holders now. */
  get active(): number {
    return this.held;
  }

  private admit(): void {
    while (this.held < this.limit && this.waiting.length > 0) {
      this.held++;
      this.waiting.shift()!();
    }
  }
}
