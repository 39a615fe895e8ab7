import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { BrowserContext } from "playwright-core";
import { chromium } from "playwright-core";

/** Debian's chromium, installed by .ci/run. */
export const CHROMIUM = process.env.FLEETWATCH_CHROMIUM ?? "/usr/bin/chromium";

/** Test artefacts (screenshots): under the repository, ignored by git. */
export const ARTEFACTS_DIR = fileURLToPath(new URL("../../../artefacts/screenshots/", import.meta.url));

export interface HeadlessChromium {
  context: BrowserContext;
  screenshotPath(name: string): string;
  close(): Promise<void>;
}

/**
 * One headless Chromium with a fresh profile directory, as the page tests use it (one per
 * test file). Credentials, when given, are sent as HTTP Basic to every request, assets included.
 */
export async function launchChromium(options: { credentials?: { username: string; password: string } } = {}): Promise<HeadlessChromium> {
  const profile = mkdtempSync(join(tmpdir(), "fleetwatch-chromium-"));
  mkdirSync(ARTEFACTS_DIR, { recursive: true });
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--no-first-run"],
    viewport: { width: 1400, height: 900 },
    ...(options.credentials ? { httpCredentials: options.credentials } : {}),
  });
  return {
    context,
    screenshotPath: (name) => join(ARTEFACTS_DIR, `${name}.png`),
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
