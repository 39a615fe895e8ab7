import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type { CpuBaseline } from "./cpu-since-previous.js";
import { cpuSincePrevious, decodeCpuBaseline, encodeCpuBaseline } from "./cpu-since-previous.js";
import { parseProbeOutput } from "./parse-probe-output.js";
import type { ProbeMetrics } from "./probe-metrics.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const read = (name: string, cpu: "sample" | "counters" = "counters"): ProbeMetrics => {
  const parsed = parseProbeOutput(fixture(name), { processes: [], mounts: "auto", cpu });
  if (!parsed.ok) throw new Error(parsed.error);
  return parsed.value;
};
/** What one check leaves for the next, through its stored form. */
const leaves = (metrics: ProbeMetrics): CpuBaseline | undefined => decodeCpuBaseline(encodeCpuBaseline(metrics));

describe("CPU since the previous check", () => {
  it("reads the counters of a probe without a pause and leaves CPU unmeasured", () => {
    const m = read("counters-first.txt");
    expect(m.cpu).toMatchObject({ usedPercent: null, method: "none", windowMs: 0, counters: { busy: 19898, total: 87936, uptimeSeconds: 441.19 } });
    expect(m.cores).toBe(2);
  });

  it("says CPU is unmeasured on a host's first check, not 0", () => {
    const m = cpuSincePrevious(read("counters-first.txt"), undefined);
    expect(m.cpu.usedPercent).toBeNull();
    expect(m.cpu.method).toBe("none");
    expect(m.cpu.unmeasured).toMatch(/first check/);
  });

  it("measures the busy share over the interval since the previous check of the same boot", () => {
    const first = cpuSincePrevious(read("counters-first.txt"), undefined);
    const second = cpuSincePrevious(read("counters-later.txt"), leaves(first));
    // 1815 busy jiffies of 12100 over 60.5 s
    expect(second.cpu).toEqual({ usedPercent: 15, windowMs: 60_500, method: "delta", counters: { busy: 21713, total: 100036, uptimeSeconds: 501.69 } });
  });

  it("follows a timeline of checks, each measured from the one before", () => {
    const a = cpuSincePrevious(read("counters-first.txt"), undefined);
    const b = cpuSincePrevious(read("counters-later.txt"), leaves(a));
    const later = read("counters-later.txt");
    const c = cpuSincePrevious(
      { ...later, cpu: { ...later.cpu, counters: { busy: 21713 + 6050, total: 100036 + 12100, uptimeSeconds: 562.19 } } },
      leaves(b),
    );
    expect([a.cpu.usedPercent, b.cpu.usedPercent, c.cpu.usedPercent]).toEqual([null, 15, 50]);
    expect(c.cpu.windowMs).toBe(60_500);
  });

  it("does not measure across a reboot (another boot_id)", () => {
    const first = leaves(read("counters-first.txt"))!;
    const m = cpuSincePrevious(read("counters-later.txt"), { ...first, bootId: "0d3c5a4e-0000-4000-8000-000000000000" });
    expect(m.cpu).toMatchObject({ usedPercent: null, method: "none" });
    expect(m.cpu.unmeasured).toMatch(/rebooted/);
  });

  it("does not measure when the counters went backwards or the clock did not move", () => {
    const later = leaves(read("counters-later.txt"))!;
    const first = read("counters-first.txt");
    expect(cpuSincePrevious(first, later).cpu).toMatchObject({ usedPercent: null, method: "none", unmeasured: expect.stringMatching(/did not advance/) });
    expect(cpuSincePrevious(first, leaves(first)).cpu.usedPercent).toBeNull();
  });

  it("keeps a short sample as it is (fleetwatch check)", () => {
    const sampled = read("gnu-procps.txt", "sample");
    expect(cpuSincePrevious(sampled, undefined)).toBe(sampled);
    expect(sampled.cpu.counters.uptimeSeconds).toBe(441.7);
  });

  it("stores a few dozen bytes and reads back only what it wrote", () => {
    const text = encodeCpuBaseline(read("counters-first.txt"))!;
    expect(text).toBe("c1 25aec7ef-8455-4ea8-bce2-feb088f819d4 19898 87936 441.19");
    for (const bad of [null, "", "c2 x 1 2 3", "c1 id 1 2", "c1 id 1 2 3 4", "c1 id -1 2 3", "c1 i d 1 2 3", "c1 id 1e3 2 3"]) {
      expect(decodeCpuBaseline(bad)).toBeUndefined();
    }
    expect(encodeCpuBaseline(null)).toBeUndefined();
  });
});
