import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { HeadlessChromium } from "@fleetwatch/testkit";
import { launchChromium } from "@fleetwatch/testkit";
import { DashboardFixture, PASSWORD, USER } from "./dashboard-fixture.js";

const f = new DashboardFixture();
let browser: HeadlessChromium;

beforeAll(async () => {
  await f.start();
  await f.seedSampleFleet();
  await f.serve();
  browser = await launchChromium({ credentials: { username: USER, password: PASSWORD } });
});
afterAll(async () => {
  await browser?.close();
  await f.stop();
});

describe("dashboard in headless Chromium", () => {
  it("renders Bull Board with every queue behind the login", async () => {
    const page = await browser.context.newPage();
    const res = await page.goto(`${f.url}/queues`);
    expect(res?.status()).toBe(200);
    for (const name of ["checks-00", "checks-31", "results"]) await page.getByText(name, { exact: true }).first().waitFor({ timeout: 30_000 });
    await page.getByText("Loading", { exact: false }).first().waitFor({ state: "detached", timeout: 30_000 });
    await page.screenshot({ path: browser.screenshotPath("queues"), fullPage: true });
    await page.close();
  });

  it("draws a host page's charts", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${f.url}/hosts/web-2`);
    const charts = page.locator("svg.chart");
    expect(await charts.count()).toBe(4);
    const cpu = page.locator('svg[data-chart="cpu"] polyline');
    const box = await cpu.boundingBox();
    expect(box!.width).toBeGreaterThan(400);
    expect(box!.height).toBeGreaterThan(30);
    await page.screenshot({ path: browser.screenshotPath("host-web-2"), fullPage: true });
    await page.close();
  });

  it("filters the fleet by state from the form", async () => {
    const page = await browser.context.newPage();
    await page.goto(`${f.url}/`);
    await page.screenshot({ path: browser.screenshotPath("fleet"), fullPage: true });
    expect(await page.locator("#hosts tr[data-host]").count()).toBe(7);
    await page.selectOption('select[name="state"]', "critical");
    await Promise.all([page.waitForURL(/state=critical/), page.click('form.filters button[type="submit"]')]);
    expect(await page.locator("#hosts tr[data-host]").evaluateAll((rows) => rows.map((r) => r.getAttribute("data-host")))).toEqual(["web-2"]);
    await page.screenshot({ path: browser.screenshotPath("fleet-critical"), fullPage: true });
    await page.goto(`${f.url}/alerts`);
    await page.screenshot({ path: browser.screenshotPath("alerts"), fullPage: true });
    await page.close();
  });
});
