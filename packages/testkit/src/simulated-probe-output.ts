import { PROBE_BEGIN, PROBE_END } from "@fleetwatch/core";

/** A simulated host's fixed traits, derived from its index. */
export interface SimulatedHostTraits {
  index: number;
  hostname: string;
  bootId: string;
  cores: number;
  memTotalKb: number;
  diskKb: number;
  bootedAtMs: number;
  /** Typical busy share of the CPU (0..1) and the amplitude of its swings. */
  cpuBase: number;
  processes: string[];
}

const COMMON_PROCESSES = [
  "systemd", "kthreadd", "rcu_gp", "kworker/0:0H", "ksoftirqd/0", "migration/0", "systemd-journal", "systemd-udevd",
  "systemd-logind", "dbus-daemon", "cron", "rsyslogd", "sshd", "agetty", "chronyd", "polkitd", "irqbalance", "containerd",
  "dockerd", "node_exporter", "bash", "sshd",
];
const ROLE_PROCESSES = [
  ["nginx", "nginx", "nginx", "php-fpm8.2", "php-fpm8.2"],
  ["postgres", "postgres", "postgres", "postgres", "pgbouncer"],
  ["java", "java"],
  ["redis-server"],
  ["mysqld"],
  ["haproxy", "keepalived"],
];

/** A small deterministic generator, so a host looks the same in every process. */
function mix(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return (s >>> 0) / 4294967296;
  };
}

export function simulatedHostTraits(index: number, startedAtMs: number): SimulatedHostTraits {
  const rand = mix(index * 2654435761 + 12345);
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(rand() * 16).toString(16)).join("");
  const role = ROLE_PROCESSES[index % ROLE_PROCESSES.length]!;
  const workers = Math.floor(rand() * 60);
  const processes = [
    ...COMMON_PROCESSES,
    ...role,
    ...Array.from({ length: workers }, (_, i) => `kworker/${i % 8}:${i}`),
  ];
  return {
    index,
    hostname: `sim-${String(index).padStart(6, "0")}`,
    bootId: `${hex(8)}-${hex(4)}-4${hex(3)}-a${hex(3)}-${hex(12)}`,
    cores: [2, 4, 8, 16, 32][Math.floor(rand() * 5)]!,
    memTotalKb: [2, 4, 8, 16, 64][Math.floor(rand() * 5)]! * 1024 * 1024,
    diskKb: [20, 50, 100, 500][Math.floor(rand() * 4)]! * 1024 * 1024,
    bootedAtMs: startedAtMs - Math.floor(rand() * 90 * 86_400_000),
    cpuBase: 0.05 + rand() * 0.6,
    processes,
  };
}

/**
 * CPU jiffies (USER_HZ 100) a core has spent up to `ms` after boot: the integral of a busy
 * share that swings slowly around the host's typical one, so counters only grow and two
 * checks a minute apart see different figures.
 */
function jiffies(host: SimulatedHostTraits, core: number, ms: number): { user: number; system: number; idle: number; iowait: number } {
  const period = 600; // seconds per radian
  const amplitude = Math.min(0.25, host.cpuBase * 0.9, (1 - host.cpuBase) * 0.9);
  const t = ms / 1000;
  const phase = host.index + core;
  const busySeconds = host.cpuBase * t - amplitude * period * (Math.cos(t / period + phase) - Math.cos(phase));
  const total = Math.floor(t * 100);
  const busyJ = Math.floor(busySeconds * 100);
  const iowait = Math.floor(total * 0.01);
  const user = Math.floor(busyJ * 0.7);
  return { user, system: busyJ - user, idle: total - busyJ - iowait, iowait };
}

/**
 * What the real probe (packages/core/src/probe/probe-script.ts, `mounts: auto`) prints on a
 * Linux host with these traits at `nowMs`: same tags, same framing, same `df -P` columns,
 * values that move with time. The parser accepts it as it accepts a real host's output.
 */
export function simulatedProbeOutput(host: SimulatedHostTraits, nowMs: number): string {
  const uptimeMs = nowMs - host.bootedAtMs;
  const t = uptimeMs / 1000;
  const lines: string[] = [PROBE_BEGIN];
  lines.push(`hostname ${host.hostname}`, `boot_id ${host.bootId}`, `uptime ${t.toFixed(2)}`);
  const load = host.cores * (host.cpuBase + 0.2 * Math.sin(t / 300 + host.index));
  const l = (f: number) => Math.max(0, load * f).toFixed(2);
  lines.push(`loadavg ${l(1.1)} ${l(1)} ${l(0.9)}`);
  const usedShare = 0.3 + 0.4 * ((host.index * 7) % 10) / 10 + 0.05 * Math.sin(t / 900);
  const available = Math.floor(host.memTotalKb * (1 - usedShare));
  lines.push(
    `mem MemTotal: ${host.memTotalKb}`,
    `mem MemFree: ${Math.floor(available * 0.4)}`,
    `mem MemAvailable: ${available}`,
    `mem Buffers: ${Math.floor(host.memTotalKb * 0.01)}`,
    `mem Cached: ${Math.floor(available * 0.5)}`,
    `mem SwapTotal: ${host.memTotalKb >= 8 * 1024 * 1024 ? 2097148 : 0}`,
    `mem SwapFree: ${host.memTotalKb >= 8 * 1024 * 1024 ? 2000000 : 0}`,
  );
  for (const [sample, ms] of [["1", uptimeMs], ["2", uptimeMs + 500]] as const) {
    lines.push(`clock ${sample} ${(ms / 1000).toFixed(2)}`);
    const perCore = Array.from({ length: host.cores }, (_, core) => jiffies(host, core, ms));
    const sum = perCore.reduce((a, c) => ({ user: a.user + c.user, system: a.system + c.system, idle: a.idle + c.idle, iowait: a.iowait + c.iowait }));
    const cpuLine = (c: typeof sum) => `${c.user} 0 ${c.system} ${c.idle} ${c.iowait} 0 0 0 0 0`;
    lines.push(`stat ${sample} cpu  ${cpuLine(sum)}`);
    perCore.forEach((c, core) => lines.push(`stat ${sample} cpu${core} ${cpuLine(c)}`));
  }
  // One host in 40 has a nearly full disk, so alerts have something to say.
  const diskShare = host.index % 40 === 7 ? 0.97 : 0.2 + ((host.index * 13) % 60) / 100;
  const used = Math.floor(host.diskKb * diskShare);
  const inodes = Math.floor(host.diskKb / 16);
  const iused = Math.floor(inodes * diskShare * 0.3);
  const pct = (a: number, b: number) => `${Math.ceil((a / b) * 100)}%`;
  lines.push(
    "@dfk",
    "Filesystem     1024-blocks      Used Available Capacity Mounted on",
    `/dev/vda1      ${host.diskKb} ${used} ${host.diskKb - used} ${pct(used, host.diskKb)} /`,
    "@dfi",
    "Filesystem       Inodes   IUsed    IFree IUse% Mounted on",
    `/dev/vda1      ${inodes} ${iused} ${inodes - iused} ${pct(iused, inodes)} /`,
    "@df-end",
    "procvisible 1",
  );
  for (const name of host.processes) lines.push(`comm ${name}`);
  lines.push(PROBE_END, "");
  return lines.join("\n");
}
