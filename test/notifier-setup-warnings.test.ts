import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { RedisHandle } from "@fleetwatch/testkit";
import { AppProcess, startRedis, waitFor } from "@fleetwatch/testkit";
import { runCli } from "./cli-process.js";

let redis: RedisHandle;
let notifier: AppProcess | undefined;
const dir = mkdtempSync(join(tmpdir(), "fw-robots-"));
const fleet = join(dir, "fleet.yaml");
const logFile = join(dir, "notifier.log");
const logText = () => (existsSync(logFile) ? readFileSync(logFile, "utf8") : "");

beforeAll(async () => {
  redis = await startRedis();
});
afterAll(async () => {
  await notifier?.stop();
  await redis?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("alerts that reach no robot", () => {
  it("are warned about by the notifier at start and on reload, and shown by fleetwatch status", async () => {
    writeFileSync(fleet, "hosts: [{ name: web-1, address: 127.0.0.1 }]\n");
    notifier = new AppProcess("notifier", fleet, { REDIS_URL: redis.url, HOOK: "http://127.0.0.1:1/robot/send?access_token=x" }, logFile);
    await waitFor("the notifier's warning about no robot", () => logText().includes("no DingTalk robot is configured"), 30_000);
    const status = await waitFor("fleetwatch status to show the warning", async () => {
      const run = await runCli(["status"], { REDIS_URL: redis.url });
      return run.stderr.includes("warning: no DingTalk robot is configured") && run;
    });
    expect(status.stderr).toContain("add a top-level `notify.dingtalk` list");

    writeFileSync(
      fleet,
      "groups: { web: {}, db: {} }\nhosts: [{ name: web-1, address: 127.0.0.1, group: web }, { name: db-1, address: 127.0.0.2, group: db }]\n" +
        "notify: { dingtalk: [{ name: web-team, webhook: '\${HOOK}', route: { groups: [web] } }] }\n",
    );
    notifier.signal("SIGHUP");
    await waitFor("the warning about group db after reload", () => logText().includes('group \\"db\\" reaches no robot'), 30_000);
    const after = await runCli(["status"], { REDIS_URL: redis.url });
    expect(after.stderr).toContain('warning: group "db" reaches no robot');
    expect(after.stderr).not.toContain("no DingTalk robot is configured");
  });
});
