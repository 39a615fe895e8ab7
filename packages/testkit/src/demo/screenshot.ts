import { mkdirSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { launchChromium } from "../headless-chromium.js";
import type { RunningDashboard } from "./dashboard.js";

/**
 * `--screenshot FILE`: the dashboard's fleet page as headless Chromium renders it, logged in
 * with the demo's credentials (how the README's picture is made).
 */
export async function screenshotDashboard(dashboard: RunningDashboard, file: string): Promise<string> {
  const path = resolve(file);
  mkdirSync(dirname(path), { recursive: true });
  const chromium = await launchChromium({ credentials: { username: dashboard.user, password: dashboard.password } });
  try {
    const page = await chromium.context.newPage();
    // A short viewport: the full-page picture is then as tall as the page's content.
    await page.setViewportSize({ width: 1400, height: 400 });
    await page.goto(`${dashboard.url}/`, { waitUntil: "networkidle" });
    await page.screenshot({ path, fullPage: true });
  } finally {
    await chromium.close();
  }
  return path;
}
