import { BUILTIN_DEFAULTS } from "./builtin-defaults.js";
import type { FleetConfig } from "./fleet-schema.js";
import type { HostSettingsInput } from "./host-settings-schema.js";
import type { ResolvedHost } from "./resolved-host.js";

/** Later levels win field by field; `undefined` never overrides. */
function pick<T>(...levels: (T | undefined)[]): T | undefined {
  let value: T | undefined;
  for (const level of levels) if (level !== undefined) value = level;
  return value;
}

function mergeMountThresholds(levels: HostSettingsInput[]): ResolvedHost["thresholds"]["mounts"] {
  const mounts: ResolvedHost["thresholds"]["mounts"] = {};
  for (const level of levels) {
    for (const [path, override] of Object.entries(level.thresholds?.mounts ?? {})) {
      mounts[path] = { ...mounts[path], ...stripUndefined(override) };
    }
  }
  return mounts;
}

function stripUndefined<T extends object>(value: T): Partial<T> {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** Merges `defaults` → group → host into one self-contained setting per host. */
export function resolveHosts(config: FleetConfig): ResolvedHost[] {
  const base = BUILTIN_DEFAULTS;
  return config.hosts.map((host) => {
    const group = host.group !== undefined ? config.groups?.[host.group] : undefined;
    const levels: HostSettingsInput[] = [config.defaults ?? {}, group ?? {}, host];
    const ssh = levels.map((level) => level.ssh ?? {});
    const th = levels.map((level) => level.thresholds ?? {});
    const resolved: ResolvedHost = {
      name: host.name ?? host.address,
      address: host.address,
      ssh: {
        user: pick(base.ssh.user, ...ssh.map((s) => s.user))!,
        port: pick(base.ssh.port, ...ssh.map((s) => s.port), host.port)!,
        key: pick(base.ssh.key, ...ssh.map((s) => s.key))!,
        knownHosts: pick(base.ssh.knownHosts, ...ssh.map((s) => s.knownHosts))!,
        hostKeyPolicy: pick(base.ssh.hostKeyPolicy, ...ssh.map((s) => s.hostKeyPolicy))!,
        connectTimeoutMs: pick(base.ssh.connectTimeoutMs, ...ssh.map((s) => s.connectTimeout))!,
        handshakeTimeoutMs: pick(base.ssh.handshakeTimeoutMs, ...ssh.map((s) => s.handshakeTimeout))!,
        commandTimeoutMs: pick(base.ssh.commandTimeoutMs, ...ssh.map((s) => s.commandTimeout))!,
      },
      intervalMs: pick(base.intervalMs, ...levels.map((l) => l.interval))!,
      for: pick(base.for, ...levels.map((l) => l.for))!,
      thresholds: {
        cpu: pick(base.thresholds.cpu, ...th.map((t) => t.cpu))!,
        memory: pick(base.thresholds.memory, ...th.map((t) => t.memory))!,
        swap: pick(base.thresholds.swap, ...th.map((t) => t.swap))!,
        load: pick(base.thresholds.load, ...th.map((t) => t.load))!,
        disk: pick(base.thresholds.disk, ...th.map((t) => t.disk))!,
        inodes: pick(base.thresholds.inodes, ...th.map((t) => t.inodes))!,
        mounts: mergeMountThresholds(levels),
      },
      processes: [...pick<string[]>(base.processes, ...levels.map((l) => l.processes))!],
      mounts: pick<"auto" | string[]>(base.mounts, ...levels.map((l) => l.mounts))!,
    };
    const passphrase = pick(...ssh.map((s) => s.passphrase));
    if (passphrase !== undefined) resolved.ssh.passphrase = passphrase;
    if (host.group !== undefined) resolved.group = host.group;
    return resolved;
  });
}
