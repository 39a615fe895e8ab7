import { parse } from "node-html-parser";
import { checkQueueName, checkShards, KEYS } from "@fleetwatch/core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runCli } from "./cli-process.js";
import { AUTH, DashboardFixture } from "./dashboard-fixture.js";

const f = new DashboardFixture();

beforeAll(async () => {
  await f.start();
  await f.seedSampleFleet();
  await f.serve();
});
afterAll(() => f.stop());

const page = async (path: string) => {
  const res = await f.get(path);
  expect(res.status).toBe(200);
  return parse(await res.text());
};
const rows = (doc: ReturnType<typeof parse>) => doc.querySelectorAll("#hosts tbody tr[data-host]").map((tr) => [tr.getAttribute("data-host"), tr.querySelector("[data-state]")?.getAttribute("data-state")]);

describe("dashboard over HTTP: the fleet page", () => {
  it("shows every host with its one state, worst first, and the counts per state", async () => {
    const doc = await page("/");
    expect(rows(doc)).toEqual([
      ["db-1", "unreachable"],
      ["web-2", "critical"],
      ["db-2", "stale"],
      ["cache-1", "warning"],
      ["web-3", "pending"],
      ["2001:db8::7", "silenced"],
      ["web-1", "ok"],
    ]);
    const count = (s: string) => doc.querySelector(`[data-count="${s}"] b`)?.text;
    expect([count("unreachable"), count("critical"), count("stale"), count("warning"), count("pending"), count("silenced"), count("ok")]).toEqual(["1", "1", "1", "1", "1", "1", "1"]);
    const cache = doc.querySelector('tr[data-host="cache-1"]')!;
    expect(cache.text).toContain("memcached");
    expect(cache.text).toContain("88.0%");
    expect(cache.querySelectorAll(".strip i")).toHaveLength(5);
    // every state has a text label and a symbol besides its colour, and a legend says what they mean
    expect(doc.querySelector('tr[data-host="web-2"] .badge')!.text).toContain("critical");
    expect(doc.querySelectorAll(".legend .badge")).toHaveLength(8);
    expect(doc.querySelector('a[href="/hosts/2001%3Adb8%3A%3A7"]')).not.toBeNull();
  });

  it("filters by state (as a plain link), group and name", async () => {
    expect(rows(await page("/?state=critical"))).toEqual([["web-2", "critical"]]);
    expect(rows(await page("/?state=critical&state=unreachable"))).toEqual([["db-1", "unreachable"], ["web-2", "critical"]]);
    expect(rows(await page("/?group=db")).map((r) => r[0])).toEqual(["db-1", "db-2", "2001:db8::7"]);
    expect(rows(await page("/?name=web-*&state=ok"))).toEqual([["web-1", "ok"]]);
    expect(rows(await page("/?name=cache")).map((r) => r[0])).toEqual(["cache-1"]);
    // the storm summary's link in DingTalk messages: hosts firing on one check
    expect(rows(await page("/?state=firing&check=process"))).toEqual([["cache-1", "warning"]]);
    expect(rows(await page("/?state=firing&check=cpu"))).toEqual([["web-2", "critical"]]);
    const doc = await page("/?state=critical");
    expect(doc.querySelector('[data-count="ok"] b')!.text).toBe("1");
    // a zh-CN team reads the page in Chinese, times in its own zone
    f.notify = { ...f.notify, locale: "zh-CN", timezone: "Asia/Shanghai" };
    try {
      const zh = await page("/?state=critical");
      expect(zh.querySelector("html")!.getAttribute("lang")).toBe("zh-CN");
      expect(zh.querySelector('tr[data-host="web-2"] .badge')!.text).toContain("严重");
      expect(zh.querySelector("main p.muted")!.text).toContain("Asia/Shanghai");
    } finally {
      f.notify = { ...f.notify, locale: "en", timezone: "UTC" };
    }
  });

  it("gives the same in JSON", async () => {
    const res = await f.get("/api/hosts?state=unreachable");
    const body = (await res.json()) as { hosts: { name: string; status: { state: string; reason: string } }[]; counts: Record<string, number> };
    expect(body.hosts).toMatchObject([{ name: "db-1", status: { state: "unreachable", reason: "connect ECONNREFUSED 127.0.0.9:22" } }]);
    expect(body.counts.critical).toBe(1);
  });
});

describe("dashboard over HTTP: a host page", () => {
  it("shows checks, history charts, the last failure in full and the timeline", async () => {
    const doc = await page("/hosts/web-2");
    expect(doc.querySelector("h1 [data-state]")!.getAttribute("data-state")).toBe("critical");
    expect(doc.querySelectorAll("svg.chart")).toHaveLength(4);
    expect(doc.querySelector('svg[data-chart="cpu"] polyline')!.getAttribute("points")!.split(" ")).toHaveLength(30);
    expect(doc.querySelector("table.timeline")!.text).toContain("fired");
    const db = await page("/hosts/db-1");
    expect(db.querySelector("pre.failure")!.text).toContain("connect ECONNREFUSED 127.0.0.9:22");
    const v6 = await page(`/hosts/${encodeURIComponent("2001:db8::7")}`);
    expect(v6.querySelector("#silences")!.text).toContain("load test");
  });

  it("answers 404 for a host that is not in the fleet", async () => {
    expect((await f.get("/hosts/nope")).status).toBe(404);
    expect((await f.get("/api/hosts/nope")).status).toBe(404);
  });
});

describe("dashboard over HTTP: alerts and silences", () => {
  it("lists firing and pending alerts, silenced ones last, and each robot's delivery health", async () => {
    await f.redis.hset(KEYS.robotHealth, "ops", JSON.stringify({ state: "failing", since: f.now, errcode: 310000, reason: "keywords not in content" }));
    const doc = await page("/alerts");
    expect(doc.querySelector('tr[data-robot="ops"]')!.text).toContain("errcode 310000: keywords not in content");
    expect(doc.querySelector('tr[data-robot="ops"] .badge')!.text).toContain("failing");
    expect(doc.querySelectorAll("#alerts tbody tr").map((tr) => tr.getAttribute("data-alert"))).toEqual(["db-1/reachability", "web-2/cpu", "cache-1/process:memcached", "web-3/memory", "2001:db8::7/cpu"]);
  });

  it("refuses a silence of the whole fleet unless the operator ticks the match-all box", async () => {
    const refused = await f.post("/alerts/silences", { host: "*", check: "*", duration: "1h", reason: "upgrade" });
    expect(refused.status).toBe(400);
    expect(parse(await refused.text()).querySelector(".error")!.text).toContain("every check of every host");
    const accepted = await f.post("/alerts/silences", { host: "*", check: "*", duration: "1h", reason: "upgrade", all: "1" });
    expect(accepted.status).toBe(303);
    const id = new URL(accepted.headers.get("location")!, f.url).searchParams.get("created")!;
    const doc = await page("/alerts");
    expect(doc.querySelector(`tr[data-silence="${id}"]`)!.text).toContain("ops");
    expect(rows(await page("/")).every(([, state]) => state === "silenced")).toBe(true);
    expect((await f.post(`/alerts/silences/${id}/expire`, {})).status).toBe(303);
    expect(rows(await page("/")).map((r) => r[1])).toContain("critical");
  });

  it("refuses a cross-origin write, on the pages, the API and Bull Board", async () => {
    const evil = { origin: "http://evil.example" };
    expect((await f.post("/alerts/silences", { host: "web-1", check: "cpu", duration: "1h", reason: "x" }, evil)).status).toBe(403);
    expect((await f.post("/api/silences", {}, { ...evil, "content-type": "application/json" })).status).toBe(403);
    const put = (path: string, headers: Record<string, string>) => fetch(`${f.url}${path}`, { method: "PUT", headers: { authorization: AUTH, ...headers } });
    expect((await put("/queues/api/queues/checks/retry/failed", { ...evil, "sec-fetch-site": "cross-site" })).status).toBe(403);
    // and Bull Board itself is read-only: even a same-origin action is refused
    expect((await put("/queues/api/queues/checks/retry/failed", { "sec-fetch-site": "same-origin" })).status).toBeGreaterThanOrEqual(400);
    expect((await (await f.get("/api/silences")).json()) as { silences: { host: string }[] }).not.toMatchObject({ silences: [{ host: "web-1" }] });
  });
});

describe("dashboard over HTTP: the login", () => {
  it("answers 401 without credentials for pages, API, Bull Board's API and its assets; /healthz stays open", async () => {
    const board = parse(await (await f.get("/queues")).text());
    const base = board.querySelector("base")?.getAttribute("href") ?? "/queues/";
    const asset = new URL(board.querySelector("script[src]")!.getAttribute("src")!, new URL(base, f.url)).pathname;
    expect(asset).toMatch(/^\/queues\/static\//);
    expect((await f.get(asset!)).status).toBe(200);
    for (const path of ["/", "/?state=critical", "/hosts/web-1", "/alerts", "/api/hosts", "/api/alerts", "/queues", "/queues/api/queues", asset!, "/readyz", "/metrics"]) {
      const res = await f.get(path, {});
      expect(res.status, path).toBe(401);
      expect(res.headers.get("www-authenticate"), path).toContain("Basic");
    }
    expect((await f.get("/queues/api/queues", { authorization: `Basic ${Buffer.from("ops:wrong").toString("base64")}` })).status).toBe(401);
    expect((await f.get("/healthz", {})).status).toBe(200);
  });

  it("lists every queue in Bull Board, read-only", async () => {
    const body = (await (await f.get("/queues/api/queues")).json()) as { queues: { name: string; readOnlyMode: boolean }[] };
    expect(body.queues.map((q) => [q.name, q.readOnlyMode])).toEqual([...checkShards().map((shard) => [checkQueueName(shard), true]), ["results", true]]);
  });
});

describe("fleetwatch status, on the same state as the dashboard", () => {
  const status = (...args: string[]) => runCli(["status", ...args], { REDIS_URL: f.handle.url, NO_COLOR: "1" });

  it("lists every host with its shared state and the age of its result, worst first; exit code over what is shown", async () => {
    const all = await status();
    const lines = all.stdout.trim().split("\n");
    expect(lines[0]).toMatch(/^HOST\s+STATE\s+GROUP\s+AGE/);
    expect(lines.slice(1).map((l) => l.split(/\s+/).slice(0, 2))).toEqual([
      ["db-1", "UNREACHABLE"],
      ["web-2", "CRITICAL"],
      ["db-2", "STALE"],
      ["cache-1", "WARNING"],
      ["web-3", "PENDING"],
      ["2001:db8::7", "SILENCED"],
      ["web-1", "OK"],
    ]);
    expect(lines.find((l) => l.startsWith("db-2"))).toMatch(/\b10(\.\d)?m\b/);
    expect(all.code).toBe(2);
  });

  it("filters with --state and --group", async () => {
    const stale = await status("--state", "stale,pending", "--group", "db");
    expect(stale.stdout.trim().split("\n").slice(1).map((l) => l.split(/\s+/)[0])).toEqual(["db-2"]);
    expect(stale.code).toBe(3);
    const fine = await status("--state", "ok,silenced", "--json");
    const body = JSON.parse(fine.stdout) as { hosts: { name: string; state: string; ageMs: number; result: { host: { name: string } } }[]; counts: Record<string, number> };
    expect(body.hosts.map((h) => [h.name, h.state])).toEqual([["2001:db8::7", "silenced"], ["web-1", "ok"]]);
    expect(body.hosts[1]!.result.host.name).toBe("web-1");
    expect(body.counts.critical).toBe(1);
    expect(fine.code).toBe(0);
    const bad = await status("--state", "on-fire");
    expect(bad.stderr).toContain("--state on-fire is not a host state");
    expect(bad.code).not.toBe(0);
  });
});
