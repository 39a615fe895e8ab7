import { describe, expect, it } from "vitest";
import { Semaphore } from "./semaphore.js";

const tick = () => new Promise((r) => setImmediate(r));

describe("Semaphore", () => {
  it("lets `limit` holders in, then the waiters in the order they asked", async () => {
    const s = new Semaphore(2);
    const order: string[] = [];
    const a = await s.acquire();
    const b = await s.acquire();
    void s.acquire().then((release) => (order.push("c"), release));
    void s.acquire().then(() => order.push("d"));
    await tick();
    expect(order).toEqual([]);
    a();
    await tick();
    expect(order).toEqual(["c"]);
    b();
    await tick();
    expect(order).toEqual(["c", "d"]);
    expect(s.active).toBe(2);
  });

  it("gives a place back once, however often release is called", async () => {
    const s = new Semaphore(1);
    const release = await s.acquire();
    release();
    release();
    expect(s.active).toBe(0);
  });

  it("lets waiters in at once when the limit rises", async () => {
    const s = new Semaphore(1);
    await s.acquire();
    let got = false;
    void s.acquire().then(() => (got = true));
    s.setLimit(2);
    await tick();
    expect(got).toBe(true);
  });
});
