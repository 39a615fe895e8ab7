import { readFileSync, writeFileSync } from "node:fs";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CanaryProcess, DingtalkStandIn, Lab, uniqueProcessName, writeFleetFile } from "@fleetwatch/testkit";
import { runCli } from "./cli-process.js";

const standIn = new DingtalkStandIn({ robots: { cron: null } });
let lab: Lab;
let canary: CanaryProcess;
const cronProcess = uniqueProcessName("fwcron");
let fleet: string;
let state: string;

const check = () => runCli(["check", "-c", fleet, "--notify", "--state", state], { FW_CRON_WEBHOOK: standIn.url("cron") });

/** Moves every "told at" in the state file back by `ms`: as if that much time had passed, without waiting for it. */
function age(ms: number): void {
  const doc = JSON.parse(readFileSync(state, "utf8")) as { hosts: Record<string, { alerts: Record<string, { decided: Record<string, { at: number }> }> }> };
  for (const host of Object.values(doc.hosts)) for (const alert of Object.values(host.alerts)) for (const told of Object.values(alert.decided)) told.at -= ms;
  writeFileSync(state, JSON.stringify(doc));
}


beforeAll(async () => {
  await standIn.start();
  lab = await Lab.create();
  canary = new CanaryProcess(lab.dir, cronProcess);
  canary.start();
  const hosts = await lab.startHosts({ count: 2 });
  const knownHosts = await lab.writeKnownHosts("known_hosts", hosts);
  state = `${lab.dir}/state/check-state.json`;
  fleet = writeFleetFile(
    lab,
    "fleet.yaml",
    knownHosts,
    [{ name: "app-1", host: hosts[0]!, extra: `processes: [${cronProcess}]` }, { name: "app-2", host: hosts[1]! }],
    // Generous stage timeouts: on a loaded machine a slow login must not become an alert of its own.
    ["  connectTimeout: 10s", "  handshakeTimeout: 20s", "  commandTimeout: 20s", "thresholds: { cpu: {}, load: {} }"],
    ["notify:", "  repeatInterval: 1h", "  groupInterval: 1s", "  locale: en", "  dingtalk:", "    - { name: ops, webhook: \"${FW_CRON_WEBHOOK}\" }"],
  );
});
afterAll(async () => {
  await canary?.stop();
  await lab?.close();
  await standIn.stop();
});

describe("fleetwatch check --notify (cron)", () => {
  it("notifies a change once, reminds after repeatInterval, and notifies the recovery", async () => {
    expect((await check()).code).toBe(0);
    await canary.stop();
    expect((await check()).code).toBe(2); // first bad check: pending (for: 2)
    expect(standIn.received).toHaveLength(0);
    await check(); // second: firing, sent in this run
    expect(standIn.received).toHaveLength(1);
    expect(standIn.received[0]!.title).toContain("[FIRING]");
    expect(standIn.received[0]!.text).toContain("app-1");
    await check(); // same problem: nothing new
    expect(standIn.received).toHaveLength(1);
    age(3_600_000);
    await check(); // repeatInterval passed: reminder
    expect(standIn.received).toHaveLength(2);
    expect(standIn.received[1]!.title).toContain("STILL FIRING");
    canary.start();
    expect((await check()).code).toBe(0);
    expect(standIn.received).toHaveLength(3);
    expect(standIn.received[2]!.title).toContain("[RESOLVED]");
    await check();
    expect(standIn.received).toHaveLength(3);
    expect(JSON.parse(readFileSync(state, "utf8")).hosts["app-1"].alerts).toEqual({});
  });

  it("keeps an undelivered message for the next run", async () => {
    await canary.stop();
    await check();
    standIn.outage(60_000);
    const failed = await check();
    expect(failed.stderr).toContain("could not notify robot ops");
    expect(standIn.received).toHaveLength(3);
    standIn.outage(0);
    await check();
    expect(standIn.received).toHaveLength(4);
    expect(standIn.received[3]!.title).toContain("[FIRING]");
    canary.start();
  });
});
