import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { HOST_ALERTS_FORMAT, parseHostAlerts, storedHostAlertsSchema } from "./alert-state.js";

const fixture = readFileSync(new URL("./fixtures/host-alerts-v1.json", import.meta.url), "utf8");

describe("stored host alert state", () => {
  it("loads today's (format 1) document, its slot index upgraded to a slot start", () => {
    const read = parseHostAlerts(fixture);
    expect(read.ok).toBe(true);
    if (!read.ok) return;
    expect(read.value.format).toBe(HOST_ALERTS_FORMAT);
    expect(read.value.alerts["process:nginx"]).toMatchObject({ status: "firing", decided: { ops: { severity: "critical" } }, delivered: { ops: { severity: "critical" } } });
    // Slot 29012345 of 60 s started in [29012345 × 60 s, 29012346 × 60 s): a replay of it is dropped, the next slot applies.
    expect(read.value.lastSlotStart).toBe(29012346 * 60_000 - 1);
    expect(read.value.version).toBe(17);
  });

  it("says why a document cannot be read, and whether it is from a newer fleetwatch", () => {
    expect(parseHostAlerts("{not json")).toMatchObject({ ok: false, newer: false });
    expect(parseHostAlerts(JSON.stringify({ host: "x" }))).toMatchObject({ ok: false, newer: false, reason: expect.stringContaining("alerts") });
    expect(parseHostAlerts(JSON.stringify({ format: 99, host: "x" }))).toMatchObject({ ok: false, newer: true });
  });

  it("upgrades documents embedded in the cron state file too", () => {
    expect(storedHostAlertsSchema.parse(JSON.parse(fixture)).lastSlotStart).toBe(29012346 * 60_000 - 1);
  });
});
