import { describe, expect, it } from "vitest";
import { httpSettingsFromEnv, isLoopbackHost } from "./http-settings.js";

describe("HTTP settings from the environment", () => {
  it("gives each app its own default port on loopback", () => {
    expect(httpSettingsFromEnv("fleetwatch-scheduler", {})).toEqual({ ok: true, value: { host: "127.0.0.1", port: 9401 } });
    expect(httpSettingsFromEnv("fleetwatch-worker", {})).toMatchObject({ ok: true, value: { port: 9402 } });
    expect(httpSettingsFromEnv("fleetwatch-notifier", {})).toMatchObject({ ok: true, value: { port: 9403 } });
    expect(httpSettingsFromEnv("fleetwatch-dashboard", {})).toMatchObject({ ok: true, value: { port: 8080 } });
  });

  it("takes HTTP_PORT=0 as any free port and off as no HTTP at all", () => {
    expect(httpSettingsFromEnv("fleetwatch-worker", { HTTP_PORT: "0" })).toMatchObject({ ok: true, value: { port: 0 } });
    expect(httpSettingsFromEnv("fleetwatch-worker", { HTTP_PORT: "off" })).toEqual({ ok: true, value: undefined });
    expect(httpSettingsFromEnv("fleetwatch-worker", { HTTP_PORT: "OFF", HTTP_HOST: "0.0.0.0" })).toEqual({ ok: true, value: undefined });
  });

  it("refuses a port that is not one, saying what to write", () => {
    for (const HTTP_PORT of ["http", "70000", "-1", "94O2"]) {
      const settings = httpSettingsFromEnv("fleetwatch-worker", { HTTP_PORT });
      expect(settings.ok).toBe(false);
      if (!settings.ok) expect(settings.error).toContain(`HTTP_PORT=${HTTP_PORT} is not a port`);
    }
  });

  it("refuses to bind off loopback without a login", () => {
    for (const HTTP_HOST of ["0.0.0.0", "::", "10.0.0.5", "monitor.example.com"]) {
      const settings = httpSettingsFromEnv("fleetwatch-notifier", { HTTP_HOST });
      expect(settings.ok).toBe(false);
      if (!settings.ok) expect(settings.error).toMatch(/^refusing to serve HTTP on .* without a login: set FLEETWATCH_HTTP_USER and FLEETWATCH_HTTP_PASSWORD/);
    }
  });

  it("binds off loopback when both credentials are set", () => {
    const settings = httpSettingsFromEnv("fleetwatch-notifier", { HTTP_HOST: "0.0.0.0", FLEETWATCH_HTTP_USER: "ops", FLEETWATCH_HTTP_PASSWORD: "s3cret-pass" });
    expect(settings).toEqual({ ok: true, value: { host: "0.0.0.0", port: 9403, credentials: { user: "ops", password: "s3cret-pass" } } });
  });

  it("refuses half a login", () => {
    const settings = httpSettingsFromEnv("fleetwatch-worker", { FLEETWATCH_HTTP_USER: "ops" });
    expect(settings).toEqual({ ok: false, error: expect.stringContaining("FLEETWATCH_HTTP_PASSWORD is not set") });
    expect(httpSettingsFromEnv("fleetwatch-worker", { FLEETWATCH_HTTP_USER: "o:ps", FLEETWATCH_HTTP_PASSWORD: "x" }).ok).toBe(false);
  });

  it("knows loopback addresses", () => {
    for (const host of ["127.0.0.1", "127.3.4.5", "::1", "[::1]", "localhost", "::ffff:127.0.0.1"]) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ["0.0.0.0", "::", "10.0.0.1", "128.0.0.1", "example.com"]) expect(isLoopbackHost(host)).toBe(false);
  });
});
