import { describe, expect, it } from "vitest";
import type { FleetHostState } from "./fleet-host-state.js";
import type { HostOverview } from "./fleet-overview.js";
import { queryFleet } from "./fleet-query.js";

const host = (name: string, state: FleetHostState, group?: string): HostOverview => ({ name, status: { state, silencedChecks: [] }, recent: [], ...(group ? { group } : {}) });
const fleet = [host("web-2", "ok", "web"), host("db-1", "critical", "db"), host("web-1", "warning", "web"), host("cache-1", "unreachable"), host("web-3", "critical", "web")];

describe("queryFleet", () => {
  it("sorts worst first, then by name, and counts every state over the whole fleet", () => {
    const page = queryFleet(fleet, {});
    expect(page.hosts.map((h) => h.name)).toEqual(["cache-1", "db-1", "web-3", "web-1", "web-2"]);
    expect(page.counts).toMatchObject({ critical: 2, warning: 1, ok: 1, unreachable: 1, stale: 0 });
    expect(page.groups).toEqual(["db", "web"]);
  });

  it("filters by state, group and name (text or pattern), keeping the fleet's counts", () => {
    expect(queryFleet(fleet, { states: ["critical"] }).hosts.map((h) => h.name)).toEqual(["db-1", "web-3"]);
    expect(queryFleet(fleet, { states: ["critical"], group: "web" }).hosts.map((h) => h.name)).toEqual(["web-3"]);
    expect(queryFleet(fleet, { name: "EB-" }).matching).toBe(3);
    expect(queryFleet(fleet, { name: "*-1" }).hosts.map((h) => h.name)).toEqual(["cache-1", "db-1", "web-1"]);
    expect(queryFleet(fleet, { states: ["ok"] }).counts.critical).toBe(2);
  });

  it("cuts pages and keeps the page number within range", () => {
    const second = queryFleet(fleet, { pageSize: 2, page: 2 });
    expect(second).toMatchObject({ page: 2, pages: 3, matching: 5 });
    expect(second.hosts.map((h) => h.name)).toEqual(["web-3", "web-1"]);
    expect(queryFleet(fleet, { pageSize: 2, page: 99 }).page).toBe(3);
    expect(queryFleet(fleet, { pageSize: 2, page: -4 }).page).toBe(1);
  });
});
