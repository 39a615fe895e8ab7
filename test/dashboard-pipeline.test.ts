import { existsSync, readFileSync } from "node:fs";
import { parse } from "node-html-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { AlertStore, KEYS, readHostTimeline, REMOVED_HOST_KEEP_MS } from "@fleetwatch/core";
import type { AppProcess, HeadlessChromium, LabHost } from "@fleetwatch/testkit";
import { CanaryProcess, launchChromium, uniqueProcessName } from "@fleetwatch/testkit";
import { eventually, Pipeline } from "./pipeline-harness.js";

const USER = "ops";
const PASSWORD = "pipeline-dashboard-pw";
const AUTH = `Basic ${Buffer.from(`${USER}:${PASSWORD}`).toString("base64")}`;

const p = new Pipeline();
const dash1 = uniqueProcessName("fwdash");
const dash2 = uniqueProcessName("fwdash");
const canaries = { "web-1": new CanaryProcess("", dash1), "web-2": new CanaryProcess("", dash2) };
let dashboard: AppProcess;
let url: string;
let browser: HeadlessChromium | undefined;
let hosts: LabHost[];
let knownHosts: string;

const get = (path: string) => fetch(`${url}${path}`, { headers: { authorization: AUTH }, redirect: "manual" });
const post = (path: string, body: Record<string, string>) =>
  fetch(`${url}${path}`, { method: "POST", headers: { authorization: AUTH, origin: url, "content-type": "application/x-www-form-urlencoded" }, body: new URLSearchParams(body).toString(), redirect: "manual" });
const firing = async (host: string, check: string) => (await new AlertStore(p.redis).load(host))?.alerts[check]?.status === "firing";
const told = (host: string) => p.standIn.received.filter((m) => m.text.includes(host));

beforeAll(async () => {
  await p.start();
  for (const [name, canary] of Object.entries(canaries)) {
    (canaries as Record<string, CanaryProcess>)[name] = new CanaryProcess(p.lab.dir, canary.name);
    (canaries as Record<string, CanaryProcess>)[name]!.start();
  }
  hosts = await p.lab.startHosts({ count: 2 });
  knownHosts = await p.lab.writeKnownHosts("known_hosts", hosts);
  p.writeConfig(knownHosts, [
    { name: "web-1", host: hosts[0]!, extra: `processes: [${dash1}]` },
    { name: "web-2", host: hosts[1]!, extra: `processes: [${dash2}]` },
  ]);
  p.startAll();
  dashboard = p.spawn("dashboard", { HTTP_PORT: "0", FLEETWATCH_HTTP_USER: USER, FLEETWATCH_HTTP_PASSWORD: PASSWORD });
  const log = () => (existsSync(dashboard.logFile) ? readFileSync(dashboard.logFile, "utf8") : "");
  url = await eventually(() => /HTTP listening on (http:\/\/[0-9.:]+)/.exec(log())?.[1], 30_000, "the dashboard's address in its log");
});
afterAll(async () => {
  await browser?.close();
  await Promise.all(Object.values(canaries).map((c) => c.stop()));
  await p.stop();
});

describe("dashboard with the pipeline running", () => {
  it("shows the fleet from the pipeline, with history, behind the login", async () => {
    await eventually(async () => (await p.latest("web-2"))?.outcome === "ok" && (await p.latest("web-1"))?.outcome === "ok", 30_000, "first results");
    expect((await fetch(`${url}/`)).status).toBe(401);
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    const rows = await eventually(async () => {
      const doc = parse(await (await get("/")).text());
      const found = doc.querySelectorAll("#hosts tr[data-host]").map((tr) => [tr.getAttribute("data-host"), tr.querySelector("[data-state]")?.getAttribute("data-state")]);
      return found.length === 2 && found.every(([, s]) => s === "ok") ? found : undefined;
    }, 20_000, "both hosts ok on the fleet page");
    expect(rows.map((r) => r[0])).toEqual(["web-1", "web-2"]);
  });

  it("mutes an alert silenced on the page while another host's alert is delivered", async () => {
    const created = await post("/alerts/silences", { host: "web-1", check: "process:*", duration: "1h", reason: "deploying web-1" });
    expect(created.status).toBe(303);
    const id = new URL(created.headers.get("location")!, url).searchParams.get("created")!;

    await canaries["web-1"].stop();
    await eventually(() => firing("web-1", `process:${dash1}`), 20_000, "web-1's process alert firing (silenced)");
    await canaries["web-2"].stop();
    const message = await eventually(() => told("web-2")[0], 20_000, "the message about web-2");
    expect(message.text).toContain(dash2);
    expect(message.text).not.toContain("web-1");
    expect(told("web-1")).toHaveLength(0);

    const doc = parse(await (await get("/")).text());
    expect(doc.querySelector('tr[data-host="web-1"] [data-state]')!.getAttribute("data-state")).toBe("silenced");
    expect(doc.querySelector('tr[data-host="web-2"] [data-state]')!.getAttribute("data-state")).toBe("critical");
    // delivery receipts reach the timeline at the dispatcher's next tick
    const kinds = async (host: string) => (await readHostTimeline(p.redis, host)).map((e) => e.kind);
    await eventually(async () => (await kinds("web-2")).includes("notified"), 10_000, "web-2's notified event");
    expect(await kinds("web-2")).toContain("fired");
    expect((await readHostTimeline(p.redis, "web-1")).map((e) => e.kind)).toEqual(expect.arrayContaining(["silenced", "fired"]));

    // the silence expires from the page: web-1's still-firing alert is told now
    expect((await post(`/alerts/silences/${id}/expire`, {})).status).toBe(303);
    const late = await eventually(() => told("web-1")[0], 20_000, "the message about web-1 once unsilenced");
    expect(late.text).toContain(dash1);
  });

  it("draws the pipeline's fleet, a host's charts and Bull Board in Chromium", async () => {
    browser = await launchChromium({ credentials: { username: USER, password: PASSWORD } });
    const page = await browser.context.newPage();
    await page.goto(`${url}/`);
    await page.screenshot({ path: browser.screenshotPath("pipeline-fleet"), fullPage: true });
    await page.goto(`${url}/hosts/web-2`);
    expect(await page.locator("svg.chart polyline").count()).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: browser.screenshotPath("pipeline-host-web-2"), fullPage: true });
    await page.goto(`${url}/alerts`);
    await page.screenshot({ path: browser.screenshotPath("pipeline-alerts"), fullPage: true });
    await page.goto(`${url}/queues`);
    await page.getByText("results", { exact: true }).first().waitFor({ timeout: 30_000 });
    await page.getByText("Loading", { exact: false }).first().waitFor({ state: "detached", timeout: 30_000 });
    await page.screenshot({ path: browser.screenshotPath("pipeline-queues"), fullPage: true });
  });

  it("lets a removed host's history and timeline expire", async () => {
    expect(await p.redis.pttl(KEYS.hostTimeline("web-1"))).toBeGreaterThan(REMOVED_HOST_KEEP_MS);
    p.writeConfig(knownHosts, [{ name: "web-2", host: hosts[1]!, extra: `processes: [${dash2}]` }]);
    for (const app of p.apps) app.signal("SIGHUP");
    await eventually(async () => {
      const ttl = await p.redis.pttl(KEYS.hostTimeline("web-1"));
      return ttl > 0 && ttl <= REMOVED_HOST_KEEP_MS;
    }, 20_000, "web-1's timeline to be given its removal expiry");
    const ring = await p.redis.pttl(KEYS.history("web-1"));
    expect(ring).toBeGreaterThan(0);
    expect(ring).toBeLessThanOrEqual(REMOVED_HOST_KEEP_MS);
  });
});

