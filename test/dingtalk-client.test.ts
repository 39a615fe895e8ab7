import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sendDingtalk } from "@fleetwatch/core";
import { DingtalkStandIn } from "@fleetwatch/testkit";

const standIn = new DingtalkStandIn({ robots: { plain: null, signed: "SECtest-secret", limited: null }, perMinute: 3 });
const msg = (text = "### hello") => ({ title: "t", markdown: text, atMobiles: ["13800000000"], isAtAll: false });

beforeAll(() => standIn.start());
afterAll(() => standIn.stop());

describe("DingTalk client against a robot that answers like DingTalk", () => {
  it("delivers to an unsigned robot", async () => {
    expect(await sendDingtalk({ webhook: standIn.url("plain") }, msg("alert @13800000000"))).toEqual({ ok: true });
    expect(standIn.received.at(-1)).toMatchObject({ token: "plain", rung: ["13800000000"] });
  });

  it("signs when a secret is set, and a wrong secret is a permanent failure", async () => {
    expect(await sendDingtalk({ webhook: standIn.url("signed"), secret: "SECtest-secret" }, msg())).toEqual({ ok: true });
    const wrong = await sendDingtalk({ webhook: standIn.url("signed"), secret: "SECwrong" }, msg());
    expect(wrong).toMatchObject({ ok: false, recoverable: false, action: "park", errcode: 310000 });
    if (!wrong.ok) expect(wrong.reason).toContain("310000");
  });

  it("refuses a timestamp more than an hour off", async () => {
    const result = await sendDingtalk({ webhook: standIn.url("signed"), secret: "SECtest-secret" }, msg(), { now: Date.now() - 2 * 3_600_000 });
    expect(result).toMatchObject({ ok: false, recoverable: false });
  });

  it("treats a bad token as permanent and never puts the webhook in the reason", async () => {
    const result = await sendDingtalk({ webhook: standIn.url("no-such-token") }, msg());
    expect(result).toMatchObject({ ok: false, recoverable: false });
    if (!result.ok) {
      expect(result.reason).toContain("300001");
      expect(result.reason).not.toContain("no-such-token");
    }
  });

  it("reports 130101 as rate limited once the robot's minute is used up", async () => {
    for (let i = 0; i < 3; i++) expect((await sendDingtalk({ webhook: standIn.url("limited") }, msg())).ok).toBe(true);
    expect(await sendDingtalk({ webhook: standIn.url("limited") }, msg())).toMatchObject({ ok: false, recoverable: true, rateLimited: true });
  });

  it("says to split a message over 20,000 UTF-8 bytes (460101), not to give up", async () => {
    const result = await sendDingtalk({ webhook: standIn.url("plain") }, msg("告".repeat(7000)));
    expect(result).toMatchObject({ ok: false, action: "split", errcode: 460101 });
  });

  it("treats a gateway error and an unreachable webhook as recoverable", async () => {
    standIn.outage(500);
    expect(await sendDingtalk({ webhook: standIn.url("plain") }, msg())).toMatchObject({ ok: false, recoverable: true });
    await new Promise((r) => setTimeout(r, 600));
    const down = await sendDingtalk({ webhook: "http://127.0.0.1:1/robot/send?access_token=secret-token" }, msg(), { timeoutMs: 1000 });
    expect(down).toMatchObject({ ok: false, recoverable: true });
    if (!down.ok) expect(down.reason).not.toContain("secret-token");
  });
});
