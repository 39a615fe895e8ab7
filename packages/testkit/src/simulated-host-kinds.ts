/**
 * How a simulated host behaves, chosen by its index so every process and every run agrees:
 * - `healthy`: answers the probe after a probe-like pause.
 * - `hang`: accepts the probe and never answers.
 * - `garbage`: a login shell that is not sh (prints noise, exits 127).
 * - `deny-key`: refuses the monitor's key.
 * - `silent`: accepts TCP, never sends an SSH banner.
 * - `refused`: nothing listens.
 */
export type SimulatedHostKind = "healthy" | "hang" | "garbage" | "deny-key" | "silent" | "refused";

/** One host in `brokenEvery` is broken, the kinds taking turns. */
export function simulatedHostKind(index: number, brokenEvery: number): SimulatedHostKind {
  if (brokenEvery <= 0 || index % brokenEvery !== brokenEvery - 1) return "healthy";
  const kinds: SimulatedHostKind[] = ["hang", "garbage", "deny-key", "silent", "refused"];
  return kinds[Math.floor(index / brokenEvery) % kinds.length]!;
}

/** Host `index` of a fleet whose addresses start at 127.`octet`.1.1 (never .0 or .255). */
export function simulatedHostAddress(octet: number, index: number): string {
  return `127.${octet}.${1 + Math.floor(index / 254)}.${1 + (index % 254)}`;
}
