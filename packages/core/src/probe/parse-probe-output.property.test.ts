import { readFileSync } from "node:fs";
import fc from "fast-check";
import { afterAll, describe, expect, it } from "vitest";
import { assertProperty } from "../test-support/property-options.js";
import type { ParseOptions } from "./parse-probe-output.js";
import { parseProbeOutput } from "./parse-probe-output.js";
import type { ProbeMetrics } from "./probe-metrics.js";
import { PROBE_BEGIN, PROBE_END } from "./probe-script.js";

/**
 * The parser under hostile output (issue #12, item 8): whatever a host prints, it never
 * throws, never reports a percentage outside 0–100 or a number that is not a finite
 * non-negative figure, does work in proportion to the output, and says probe_failed
 * (an error) when the output is not a whole, consistent probe report.
 */
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}`, import.meta.url), "utf8");
const FIXTURES = ["gnu-procps.txt", "busybox.txt", "container-cgroup-v1.txt", "container-cgroup-v2.txt"].map(fixture);
const OPTIONS: ParseOptions[] = [
  { processes: [], mounts: "auto" },
  { processes: ["sshd", "kthreadd", "kube-controller-manager"], mounts: ["/", "/var/log", "/data"] },
];

/**
 * Slowest parse seen, per KiB of input. The bound only catches work that grows faster than
 * the output (a regular expression that backtracks, a scan inside a scan): a linear parser
 * needs about a millisecond per 100 KiB here, so 25 ms per KiB holds on a loaded machine.
 */
const MS_PER_KIB_BOUND = 25;
const MS_FLOOR = 250;
let slowest = { ms: 0, kib: 0 };

function parseTimed(text: string, options: ParseOptions): ReturnType<typeof parseProbeOutput> {
  const started = performance.now();
  const result = parseProbeOutput(text, options);
  const ms = performance.now() - started;
  const kib = text.length / 1024;
  if (ms > slowest.ms) slowest = { ms, kib };
  expect(ms, `parsing ${kib.toFixed(0)} KiB took ${ms.toFixed(0)} ms`).toBeLessThan(MS_FLOOR + kib * MS_PER_KIB_BOUND);
  return result;
}

afterAll(() => {
  console.log(`slowest parse: ${slowest.ms.toFixed(1)} ms for ${slowest.kib.toFixed(0)} KiB`);
});

/** Every number finite and non-negative, every percentage within 0–100. */
function expectPlausible(metrics: ProbeMetrics): void {
  const walk = (value: unknown, path: string) => {
    if (typeof value === "number") {
      expect(Number.isFinite(value), `${path} = ${value}`).toBe(true);
      expect(value, path).toBeGreaterThanOrEqual(0);
      if (/percent$/i.test(path)) expect(value, path).toBeLessThanOrEqual(100);
    } else if (value && typeof value === "object") {
      for (const [key, inner] of Object.entries(value)) walk(inner, `${path}.${key}`);
    }
  };
  walk(metrics, "metrics");
  expect(metrics.cores).toBeGreaterThanOrEqual(1);
  expect(metrics.cpu.windowMs).toBeGreaterThan(0);
  expect(metrics.memory.usedBytes).toBeLessThanOrEqual(metrics.memory.totalBytes);
}

/** Parses and checks what every result must satisfy; returns the result. */
function parseChecked(text: string, options: ParseOptions): ReturnType<typeof parseProbeOutput> {
  let result: ReturnType<typeof parseProbeOutput> | undefined;
  expect(() => (result = parseTimed(text, options))).not.toThrow();
  if (result!.ok) expectPlausible(result!.value);
  else expect(typeof result!.error).toBe("string");
  return result!;
}

const options = fc.constantFrom(...OPTIONS);
const frameLines = (text: string) => {
  const lines = text.split("\n");
  return { lines, begin: lines.indexOf(PROBE_BEGIN), end: lines.indexOf(PROBE_END) };
};

/** Numbers as a hostile or broken host might print them. */
const hostileNumber = fc.oneof(
  fc.nat().map(String),
  fc.bigInt({ min: 0n, max: 10n ** 30n }).map(String),
  fc.integer({ min: -1e9, max: -1 }).map(String),
  fc.double({ noNaN: false }).map(String),
  fc.constantFrom("NaN", "Infinity", "-Infinity", "-0", "1e308", "0x10", "", " ", "1.5", "-1.5", "٣", "１", "max", "9223372036854771712", "18446744073709551615"),
);

/** One line shaped like the probe's own, with a hostile value. */
const probeLikeLine = fc.oneof(
  fc.tuple(fc.constantFrom("hostname", "boot_id", "uptime", "procvisible", "comm", "argv0", "nomount", "error"), fc.string({ maxLength: 40 })).map(([t, v]) => `${t} ${v}`),
  fc.tuple(hostileNumber, hostileNumber, hostileNumber).map(([a, b, c]) => `loadavg ${a} ${b} ${c}`),
  fc.tuple(fc.constantFrom("MemTotal:", "MemAvailable:", "MemFree:", "SwapTotal:", "SwapFree:", "Cached:"), hostileNumber).map(([k, v]) => `mem ${k} ${v}`),
  fc.tuple(fc.constantFrom("1", "2", "3"), fc.constantFrom("cpu", "cpu0", "cpu1", "cpux"), fc.array(hostileNumber, { maxLength: 11 })).map(
    ([s, n, values]) => `stat ${s} ${n} ${values.join(" ")}`,
  ),
  fc.tuple(fc.constantFrom("1", "2"), hostileNumber).map(([s, v]) => `clock ${s} ${v}`),
  fc.tuple(fc.constantFrom("1", "2"), fc.constantFrom("limit", "usage", "inactive_file"), hostileNumber).map(([v, k, n]) => `cgmem ${v} ${k} ${n}`),
  fc.tuple(fc.string({ maxLength: 20 }), hostileNumber, hostileNumber, hostileNumber, fc.constantFrom("/", "/var", "/data", "/var/log", "relative")).map(
    ([fs, a, b, c, mp]) => `${fs || "/dev/x"} ${a} ${b} ${c} 50% ${mp}`,
  ),
  fc.constantFrom("@dfk", "@dfi", "@df-end", PROBE_BEGIN, PROBE_END, "@@FLEETWATCH-PROBE-BEGIN 1", ""),
  fc.string({ unit: "binary", maxLength: 80 }),
);

describe("parseProbeOutput under hostile output", () => {
  it("never throws on arbitrary text, and without a frame says why", () => {
    assertProperty(
      fc.property(fc.oneof(fc.string({ unit: "binary", maxLength: 3000 }), fc.string({ unit: "grapheme", maxLength: 500 })), options, (text, opts) => {
        const result = parseChecked(text, opts);
        if (!text.split("\n").some((line) => line.replace(/\r$/, "") === PROBE_BEGIN)) expect(result.ok).toBe(false);
      }),
      300,
    );
  });

  it("never reports an impossible figure from framed lines with hostile values", () => {
    assertProperty(
      fc.property(fc.array(probeLikeLine, { maxLength: 60 }), options, (lines, opts) => {
        parseChecked([PROBE_BEGIN, ...lines, PROBE_END].join("\n"), opts);
      }),
      300,
    );
  });

  it("never reports an impossible figure when one line of a real report is replaced or added", () => {
    assertProperty(
      fc.property(fc.constantFrom(...FIXTURES), fc.nat(), probeLikeLine, fc.boolean(), options, (text, at, line, replace, opts) => {
        const { lines, begin, end } = frameLines(text);
        const index = begin + 1 + (at % (end - begin - 1));
        lines.splice(index, replace ? 1 : 0, line);
        parseChecked(lines.join("\n"), opts);
      }),
      500,
    );
  });

  it("says probe_failed for a report cut short anywhere before its end marker", () => {
    assertProperty(
      fc.property(fc.constantFrom(...FIXTURES), fc.nat(), options, (text, at, opts) => {
        const cut = text.slice(0, at % text.indexOf(PROBE_END));
        expect(parseChecked(cut, opts).ok).toBe(false);
      }),
      300,
    );
  });

  it("says probe_failed when a field it needs is missing", () => {
    const required = /^(hostname|boot_id|uptime|loadavg|clock|stat \d cpu |mem MemTotal:)/;
    assertProperty(
      fc.property(fc.constantFrom(...FIXTURES), fc.nat(), options, (text, at, opts) => {
        const lines = text.split("\n");
        const needed = lines.flatMap((line, i) => (required.test(line) ? [i] : []));
        lines.splice(needed[at % needed.length]!, 1);
        expect(parseChecked(lines.join("\n"), opts).ok).toBe(false);
      }),
      200,
    );
  });

  it("says probe_failed when a field is given twice with two values", () => {
    const single = /^(hostname|boot_id|uptime|loadavg|clock \d|mem \w+:|procvisible|stat \d cpu\d* ) ?/;
    assertProperty(
      fc.property(fc.constantFrom(...FIXTURES), fc.nat(), fc.nat(10_000), options, (text, at, value, opts) => {
        const { lines, begin, end } = frameLines(text);
        const candidates = lines.flatMap((line, i) => (i > begin && i < end && single.test(line) ? [i] : []));
        const index = candidates[at % candidates.length]!;
        const prefix = single.exec(lines[index]!)![0];
        const other = `${prefix.trimEnd()} ${value}`;
        fc.pre(other !== lines[index]);
        lines.splice(index + 1, 0, other);
        expect(parseChecked(lines.join("\n"), opts).ok).toBe(false);
      }),
      200,
    );
  });

  it("takes time in proportion to the output, however large: floods of lines, a 4 MiB line", () => {
    const big = (n: number, make: (i: number) => string) => Array.from({ length: n }, (_, i) => make(i)).join("\n");
    const floods = fc.constantFrom(
      (text: string) => text.replace("procvisible 1", `procvisible 1\n${big(60_000, (i) => `comm p${i}`)}`),
      (text: string) => text.replace("@dfk\n", `@dfk\n${big(15_000, (i) => `/dev/x${i} 100 50 50 50% /m${i}`)}\n`),
      (text: string) => text.replace("@dfi\n", `@dfi\n${big(15_000, (i) => `/dev/x${i} 100 50 50 50% /var/log${i}`)}\n`),
      (text: string) => text.replace("procvisible 1", `procvisible 1\n${"a".repeat(4 * 1024 * 1024)}`),
      (text: string) => text.replace("procvisible 1", `procvisible 1\n${"/dev/x 1 ".repeat(120_000)}`),
      (text: string) => `${big(30_000, () => "stat 1 cpu 1 2 3 4 5 6 7 8 9 10")}\n${text}`,
    );
    assertProperty(
      fc.property(fc.constantFrom(...FIXTURES), floods, options, (text, flood, opts) => {
        parseChecked(flood(text), opts);
      }),
      8,
    );
  });
});
