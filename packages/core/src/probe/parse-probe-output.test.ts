import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseProbeOutput } from "./parse-probe-output.js";
import { PROBE_BEGIN, PROBE_END } from "./probe-script.js";

const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const auto = { processes: [] as string[], mounts: "auto" as const };

describe("parseProbeOutput", () => {
  it("reads GNU procps / coreutils output", () => {
    const result = parseProbeOutput(fixture("gnu-procps.txt"), {
      processes: ["process_api", "kthreadd", "nginx", "kube-controller-manager"],
      mounts: "auto",
    });
    if (!result.ok) throw new Error(result.error);
    const m = result.value;
    expect(m.hostname).toBe("vm");
    expect(m.cores).toBe(2);
    expect(m.memory.totalBytes).toBe(24683620 * 1024);
    expect(m.memory.availableBytes).toBe(24086608 * 1024);
    expect(m.memory.usedPercent).toBeCloseTo(2.4, 1);
    expect(m.memory.availableSource).toBe("MemAvailable");
    expect(m.swap).toEqual({ totalBytes: 0, usedBytes: 0, usedPercent: 0 });
    expect(m.load).toEqual({ one: 0.08, five: 0.26, fifteen: 0.16 });
    expect(m.cpu.windowMs).toBe(510);
    // busy delta 3 jiffies of 102 total
    expect(m.cpu.usedPercent).toBeCloseTo(2.9, 1);
    expect(m.mounts).toHaveLength(1);
    expect(m.mounts[0]).toMatchObject({ path: "/", filesystem: "/dev/vda", sizeBytes: 264212084 * 1024 });
    expect(m.mounts[0]!.usedPercent).toBeCloseTo((23345296 / (23345296 + 83045616)) * 100, 1);
    expect(m.mounts[0]!.inodes).toMatchObject({ total: 16777216, used: 420086 });
    expect(m.processes).toEqual({
      process_api: "present",
      kthreadd: "present",
      nginx: "missing",
      "kube-controller-manager": "missing",
    });
  });

  it("reads BusyBox output, whose df columns differ", () => {
    const result = parseProbeOutput(fixture("busybox.txt"), auto);
    if (!result.ok) throw new Error(result.error);
    expect(result.value.mounts[0]).toMatchObject({ path: "/", usedBytes: 23345348 * 1024 });
    expect(result.value.mounts[0]!.inodes?.used).toBe(420087);
    expect(result.value.cores).toBe(2);
  });

  it("ignores a MOTD or banner printed around the frame", () => {
    const noisy = `Welcome to Ubuntu!\n*** System restart required ***\n${fixture("gnu-procps.txt")}\nlogout\n`;
    expect(parseProbeOutput(noisy, auto).ok).toBe(true);
  });

  it("reports output with no frame as probe_failed material, quoting the first line", () => {
    const result = parseProbeOutput("fish: Unknown command: sh\n", auto);
    expect(result).toEqual({ ok: false, error: expect.stringContaining("fish: Unknown command: sh") });
  });

  it("reports empty output", () => {
    expect(parseProbeOutput("", auto)).toEqual({ ok: false, error: expect.stringContaining("printed nothing") });
  });

  it("reports truncated output", () => {
    const text = fixture("gnu-procps.txt");
    const result = parseProbeOutput(text.slice(0, text.length / 2), auto);
    expect(result).toEqual({ ok: false, error: "probe output was truncated (no end marker)" });
  });

  it("reports a non-Linux host", () => {
    const result = parseProbeOutput(`${PROBE_BEGIN}\nerror not-linux FreeBSD\n${PROBE_END}\n`, auto);
    expect(result).toEqual({ ok: false, error: "not a Linux host (uname: FreeBSD)" });
  });

  it("reports a probe of another version", () => {
    const result = parseProbeOutput("@@FLEETWATCH-PROBE-BEGIN 9\n@@FLEETWATCH-PROBE-END 9\n", auto);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.error).toContain("version 9");
  });

  it("never throws on garbage, and never invents numbers", () => {
    const garbage = [
      `${PROBE_BEGIN}\n${PROBE_END}`,
      `${PROBE_BEGIN}\nhostname x\nboot_id y\nuptime abc\nloadavg 1 2 3\n${PROBE_END}`,
      `${PROBE_BEGIN}\nhostname x\nboot_id y\nuptime 1\nloadavg 1 2 3\nclock 1 1\nclock 2 2\nstat 1 cpu a b c d\nstat 2 cpu 1 2 3 4\n${PROBE_END}`,
      "\u0000\u0001\u0002".repeat(1000),
      fixture("gnu-procps.txt").replace(/^mem MemTotal: \d+$/m, "mem MemTotal: lots"),
    ];
    for (const text of garbage) {
      const result = parseProbeOutput(text, auto);
      expect(result.ok).toBe(false);
    }
  });

  it("does not let a process name that looks like the end marker cut the output short", () => {
    const text = fixture("gnu-procps.txt").replace("comm kthreadd", `comm ${PROBE_END}`);
    expect(parseProbeOutput(text, auto).ok).toBe(true);
  });

  it("marks a missing process unknown when /proc hides other users' processes", () => {
    const text = fixture("gnu-procps.txt").replace("procvisible 1", "procvisible 0");
    const result = parseProbeOutput(text, { processes: ["nginx", "kthreadd"], mounts: "auto" });
    expect(result.ok && result.value.processes).toEqual({ nginx: "unknown", kthreadd: "present" });
  });

  it("lists a configured mount that df did not report as missing", () => {
    const result = parseProbeOutput(fixture("gnu-procps.txt"), { processes: [], mounts: ["/", "/data"] });
    expect(result.ok && result.value.missingMounts).toEqual(["/data"]);
    expect(result.ok && result.value.mounts.map((m) => m.path)).toEqual(["/"]);
  });

  it("finds a name longer than 15 characters by its command line", () => {
    const text = fixture("gnu-procps.txt").replace("cmdline kube-controller-manager 0", "cmdline kube-controller-manager 1");
    const result = parseProbeOutput(text, { processes: ["kube-controller-manager"], mounts: "auto" });
    expect(result.ok && result.value.processes).toEqual({ "kube-controller-manager": "present" });
  });
});
