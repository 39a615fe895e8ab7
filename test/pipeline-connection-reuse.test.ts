import { afterAll, beforeAll, expect, it } from "vitest";
import type { LabHost } from "@fleetwatch/testkit";
import { eventually, Pipeline } from "./pipeline-harness.js";

const p = new Pipeline();
let host: LabHost;

beforeAll(async () => {
  await p.start();
  [host] = await p.lab.startHosts({ behaviour: "logged" });
  p.writeConfig(await p.lab.writeKnownHosts("known_hosts", [host!]), [{ name: "reused-1", host: host! }]);
});
afterAll(async () => {
  await p.stop();
});

const runs = () => p.lab.commandLog(host.address).split("\n").filter(Boolean).length;

it("checks a host every interval over one login, and closes the connection on SIGTERM", async () => {
  p.spawn("scheduler");
  const worker = p.spawn("worker");
  await eventually(async () => runs() >= 4 && (await p.latest("reused-1"))?.reused === true, 40_000, "four checks, the last over a kept connection");
  expect(p.lab.logins(host)).toBe(1);
  // CPU from the previous check's counters (kept in Redis), with no pause in the probe
  const cpu = (await p.latest("reused-1"))!.metrics!.cpu;
  expect(cpu.method).toBe("delta");
  expect(cpu.windowMs).toBeGreaterThan(0);
  expect(p.lab.commandLog(host.address)).toContain("'-c'");
  expect(p.lab.sshdLog(host)).not.toMatch(/disconnect/i);
  expect(await worker.stop()).toBe(0);
  await eventually(() => /disconnect/i.test(p.lab.sshdLog(host)), 20_000, "sshd to see the worker's connection closed");
  expect(p.lab.logins(host)).toBe(1);
});
