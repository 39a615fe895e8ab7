import { expect, it } from "vitest";
import { parseProbeOutput } from "@fleetwatch/core";
import { simulatedHostTraits, simulatedProbeOutput } from "./simulated-probe-output.js";

it("prints what the real parser reads as a Linux host, with figures that differ between hosts and over time", () => {
  const start = Date.UTC(2026, 0, 1);
  const seen = new Set<string>();
  for (const index of [0, 1, 7, 47, 999, 65_000]) {
    const host = simulatedHostTraits(index, start);
    for (const later of [0, 60_000]) {
      const parsed = parseProbeOutput(simulatedProbeOutput(host, start + later), { processes: ["sshd", "nginx"], mounts: "auto" });
      if (!parsed.ok) throw new Error(parsed.error);
      expect(parsed.value).toMatchObject({ hostname: host.hostname, bootId: host.bootId, cores: host.cores, processes: { sshd: "present" } });
      expect(parsed.value.cpu.usedPercent).toBeGreaterThanOrEqual(0);
      expect(parsed.value.cpu.usedPercent).toBeLessThanOrEqual(100);
      expect(parsed.value.mounts.map((m) => m.mountPoint)).toEqual(["/"]);
      seen.add(`${parsed.value.cpu.usedPercent}/${parsed.value.memory.usedPercent}`);
    }
  }
  expect(seen.size).toBeGreaterThan(6);
});
