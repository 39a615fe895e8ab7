import { readFileSync } from "node:fs";
import { Redis } from "ioredis";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { AppProcess, LabHost } from "@fleetwatch/testkit";
import { uniqueProcessName } from "@fleetwatch/testkit";
import { runCli } from "./cli-process.js";
import { eventually, Pipeline } from "./pipeline-harness.js";

/** Missing on every lab host: a name no other suite's canary has (≤ 15 characters). */
const MISSING = uniqueProcessName("fwcluster");
const p = new Pipeline();
let dashboard: AppProcess;
let hosts: LabHost[];

beforeAll(async () => {
  await p.start({ cluster: true });
  hosts = await p.lab.startHosts({ count: 1 });
  const knownHosts = await p.lab.writeKnownHosts("known_hosts", hosts);
  p.writeConfig(knownHosts, [{ name: "web-1", host: hosts[0]!, extra: `processes: [${MISSING}]` }]);
  p.startAll();
  dashboard = p.spawn("dashboard");
}, 60_000);
afterAll(async () => {
  await p.stop();
});

describe("the pipeline on a three-master Redis Cluster", () => {
  it("checks a broken host end to end to a FIRING message, with keys spread over the nodes", async () => {
    expect(p.redisUrl.split(",")).toHaveLength(3);
    const firing = await eventually(() => p.standIn.received[0], 45_000, "the FIRING message at the stand-in");
    expect(firing.title).toContain("[FIRING]");
    expect(firing.text).toContain("web-1");
    expect(firing.text).toContain(MISSING);

    // Queues and state live under several hash tags: more than one master holds keys.
    const sizes = await Promise.all(
      p.cluster!.nodes.map(async (node) => {
        const direct = new Redis(node.url, { maxRetriesPerRequest: 1 });
        try {
          return await direct.dbsize();
        } finally {
          direct.disconnect();
        }
      }),
    );
    expect(sizes.filter((n) => n > 0).length).toBeGreaterThan(1);

    const logs = p.apps.map((a) => readFileSync(a.logFile, "utf8")).join("\n");
    expect(logs).not.toMatch(/CROSSSLOT|MOVED|Command not allowed|All keys in the pipeline/);
  });

  it("serves the dashboard and `fleetwatch status` from the cluster", async () => {
    const base = await dashboard.httpUrl(30_000);
    const hostsApi = (await (await fetch(`${base}/api/hosts`)).json()) as unknown;
    expect(JSON.stringify(hostsApi)).toContain("web-1");
    expect((await fetch(`${base}/`)).status).toBe(200);
    expect((await fetch(`${base}/queues`)).status).toBeLessThan(400);

    const status = await runCli(["status", "--json"], { REDIS_URL: p.redisUrl });
    expect(status.stderr).toBe("");
    expect(status.stdout).toContain("web-1");
  });
});
