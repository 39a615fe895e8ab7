import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { parseProbeOutput } from "./parse-probe-output.js";
import { PROBE_BEGIN, PROBE_END, probeArguments } from "./probe-script.js";

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
});

describe("figures that cannot be true", () => {
  it("fails the probe when user, nice, system or idle counters go back between the two samples", () => {
    const text = fixture("gnu-procps.txt").replace("stat 2 cpu  12058 0 7407 67530", "stat 2 cpu  12058 0 7407 67000");
    expect(parseProbeOutput(text, auto)).toEqual({ ok: false, error: "probe output's CPU counters did not advance between its two samples" });
  });

  it("tolerates iowait stepping back, as some kernels' does", () => {
    const text = fixture("gnu-procps.txt").replace("stat 2 cpu  12058 0 7407 67530 607", "stat 2 cpu  12058 0 7407 67530 600");
    const result = parseProbeOutput(text, auto);
    expect(result.ok && result.value.cpu.usedPercent).toBeGreaterThanOrEqual(0);
    expect(result.ok && result.value.cpu.usedPercent).toBeLessThanOrEqual(100);
  });

  it("fails the probe when a field is given twice with two values", () => {
    const text = fixture("gnu-procps.txt").replace("mem MemTotal: 24683620\n", "mem MemTotal: 24683620\nmem MemTotal: 99999999\n");
    expect(parseProbeOutput(text, auto)).toEqual({ ok: false, error: "probe output is ambiguous: mem MemTotal: given twice with different values" });
  });
});

describe("process names longer than the kernel's 15-character comm", () => {
  const name = "kube-controller-manager";
  const withLines = (...lines: string[]) => fixture("gnu-procps.txt").replace("comm kthreadd\n", `comm kthreadd\n${lines.join("\n")}\n`);

  it("is present when a process's argv[0] basename is exactly the name", () => {
    const result = parseProbeOutput(withLines("comm kube-controlle", `argv0 ${name}`), { processes: [name], mounts: "auto" });
    expect(result.ok && result.value.processes).toEqual({ [name]: "present" });
  });

  it("is missing when only another program with the same first 15 characters runs", () => {
    const result = parseProbeOutput(withLines("comm kube-controlle", "argv0 kube-controller-manager-helper"), { processes: [name], mounts: "auto" });
    expect(result.ok && result.value.processes).toEqual({ [name]: "missing" });
  });

  it("is not found in a comm line, which the kernel cuts to 15 characters", () => {
    const result = parseProbeOutput(withLines(`comm ${name}`), { processes: [name], mounts: "auto" });
    expect(result.ok && result.value.processes).toEqual({ [name]: "missing" });
  });

  it("asks the probe for argv[0] of processes whose comm is the name's first 15 characters, once per prefix", () => {
    expect(probeArguments("auto", [name, "kube-controller-other", "sshd"])).toEqual(["-L", "kube-controller"]);
  });

  it("asks the probe for counters without a pause in the pipeline, and for no process names when none is watched", () => {
    expect(probeArguments("auto", ["sshd"], "counters")).toEqual(["-c"]);
    expect(probeArguments(["/var"], [], "counters")).toEqual(["-c", "-n", "-m", "/var"]);
    expect(probeArguments("auto", [])).toEqual(["-n"]);
  });
});

describe("configured mounts", () => {
  const dfBlock = (rows: string[]) =>
    ["@dfk", "Filesystem     1024-blocks     Used Available Capacity Mounted on", ...rows, "@dfi", "Filesystem       Inodes  IUsed    IFree IUse% Mounted on", ...rows, "@df-end"].join("\n");
  const withMounts = (nomount: string[], rows: string[]) =>
    fixture("gnu-procps.txt").replace(/@dfk[\s\S]*@df-end/, `${nomount.map((m) => `nomount ${m}`).join("\n")}${nomount.length ? "\n" : ""}${dfBlock(rows)}`);
  const root = "/dev/vda         264212084 23345296  83045616      22% /";
  const var_ = "/dev/vdb          10485760  8388608   2097152      80% /var";

  it("measures a path that is not a mount point on the filesystem that holds it, and reports a missing one on its own", () => {
    // mounts: [/data, /var/log]: /data does not exist; /var/log is a directory on /.
    const result = parseProbeOutput(withMounts(["/data"], [root]), { processes: [], mounts: ["/data", "/var/log"] });
    if (!result.ok) throw new Error(result.error);
    expect(result.value.missingMounts).toEqual(["/data"]);
    expect(result.value.mounts).toEqual([expect.objectContaining({ path: "/var/log", mountPoint: "/", filesystem: "/dev/vda", sizeBytes: 264212084 * 1024 })]);
    expect(result.value.mounts[0]!.inodes).not.toBeNull();
  });

  it("pairs each path with its own df row, in order, when several share a filesystem", () => {
    const result = parseProbeOutput(withMounts([], [root, var_, root]), { processes: [], mounts: ["/srv", "/var", "/home"] });
    if (!result.ok) throw new Error(result.error);
    expect(result.value.mounts.map((m) => `${m.path}@${m.mountPoint}`)).toEqual(["/srv@/", "/var@/var", "/home@/"]);
    expect(result.value.missingMounts).toEqual([]);
  });

  it("pairs by mount point when df measured fewer paths than it was given", () => {
    const result = parseProbeOutput(withMounts([], [var_]), { processes: [], mounts: ["/", "/var"] });
    if (!result.ok) throw new Error(result.error);
    expect(result.value.mounts.map((m) => m.path)).toEqual(["/var"]);
    expect(result.value.missingMounts).toEqual(["/"]);
  });
});

describe("memory in a container", () => {
  it("judges memory against a cgroup v2 limit: working set = memory.current − inactive_file", () => {
    const result = parseProbeOutput(fixture("container-cgroup-v2.txt"), auto);
    if (!result.ok) throw new Error(result.error);
    const working = 503316480 - 20971520;
    expect(result.value.memory).toMatchObject({
      totalBytes: 536870912,
      usedBytes: working,
      availableBytes: 536870912 - working,
      availableSource: "cgroup",
      cgroup: { version: 2, limitBytes: 536870912, usageBytes: 503316480, inactiveFileBytes: 20971520 },
      host: { totalBytes: 24683620 * 1024, availableBytes: 24086608 * 1024 },
    });
    expect(result.value.memory.usedPercent).toBeCloseTo((working / 536870912) * 100, 1);
  });

  it("judges memory against a cgroup v1 limit: usage_in_bytes − total_inactive_file", () => {
    const result = parseProbeOutput(fixture("container-cgroup-v1.txt"), auto);
    if (!result.ok) throw new Error(result.error);
    expect(result.value.memory).toMatchObject({ totalBytes: 1073741824, usedBytes: 858993459 - 107374182, cgroup: { version: 1 } });
    expect(result.value.memory.usedPercent).toBeCloseTo(70, 0);
  });

  it("uses the host's meminfo when the cgroup has no limit (v2 max, v1's largest counter) or a limit above the host's memory", () => {
    const v2 = fixture("container-cgroup-v2.txt");
    const v1 = fixture("container-cgroup-v1.txt");
    for (const text of [
      v2.replace("cgmem 2 limit 536870912", "cgmem 2 limit max"),
      v1.replace("cgmem 1 limit 1073741824", "cgmem 1 limit 9223372036854771712"),
      v1.replace("cgmem 1 limit 1073741824", `cgmem 1 limit ${64 * 1024 ** 3}`),
    ]) {
      const result = parseProbeOutput(text, auto);
      if (!result.ok) throw new Error(result.error);
      expect(result.value.memory).toMatchObject({ totalBytes: 24683620 * 1024, availableSource: "MemAvailable" });
      expect(result.value.memory.cgroup).toBeUndefined();
    }
  });

  it("fails the probe rather than guess when a limit comes without usage", () => {
    const text = fixture("container-cgroup-v2.txt").replace("cgmem 2 usage 503316480\n", "");
    expect(parseProbeOutput(text, auto)).toEqual({ ok: false, error: "probe output has a cgroup memory limit but no usage" });
  });
});
