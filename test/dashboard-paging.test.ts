import { parse } from "node-html-parser";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { encodeHistoryEntry, historyEntryOf, KEYS, MAX_PAGE_SIZE } from "@fleetwatch/core";
import { publishSampleMembers, sampleMember, sampleResult } from "@fleetwatch/testkit";
import { DashboardFixture, MIN } from "./dashboard-fixture.js";

const HOSTS = 5_000;
const LIMIT = 300 * 1024;
const f = new DashboardFixture();

beforeAll(async () => {
  await f.start();
  const names = Array.from({ length: HOSTS }, (_, i) => `node-${String(i).padStart(4, "0")}.rack-${String(i % 97).padStart(2, "0")}.dc1.example.com`);
  await publishSampleMembers(f.redis, names.map((name, i) => sampleMember(name, `rack-${String(i % 97).padStart(2, "0")}`, MIN)));
  const pipeline = f.redis.pipeline();
  names.forEach((name, i) => {
    const group = `rack-${String(i % 97).padStart(2, "0")}`;
    // a full strip, with failures and missing processes, for the largest rows
    const entries = Array.from({ length: 24 }, (_, k) =>
      encodeHistoryEntry(historyEntryOf(sampleResult({ host: name, group, at: f.now - k * MIN, cpu: (i * 7 + k) % 100, state: k % 3 ? "warning" : "critical", missing: ["kubelet", "containerd", "node-exporter"] }))),
    );
    pipeline.rpush(KEYS.history(name), ...entries);
    pipeline.hset(KEYS.latestResult(name), "group", group);
  });
  await pipeline.exec();
  await f.serve();
}, 120_000);
afterAll(() => f.stop());

describe("dashboard paging at 5,000 hosts", () => {
  it(`keeps every page under ${LIMIT / 1024} KB, at the default and the largest page size`, async () => {
    for (const size of [100, MAX_PAGE_SIZE]) {
      let pages = 0;
      let largest = 0;
      let listed = 0;
      for (let n = 1; ; n++) {
        const res = await f.get(`/?size=${size}&page=${n}`);
        const text = await res.text();
        largest = Math.max(largest, Buffer.byteLength(text));
        listed += parse(text).querySelectorAll("#hosts tr[data-host]").length;
        pages = n;
        if (!text.includes('rel="next"')) break;
      }
      console.log(`page size ${size}: ${pages} pages, largest ${largest} bytes`);
      expect(largest).toBeLessThan(LIMIT);
      expect(listed).toBe(HOSTS);
    }
    const filtered = await f.get("/?group=rack-05&size=1000");
    expect(parse(await filtered.text()).querySelectorAll("#hosts tr[data-host]").length).toBe(Math.ceil((HOSTS - 5) / 97));
  });
});
