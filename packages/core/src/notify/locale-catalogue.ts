import type { Locale } from "../config/notify-schema.js";
import type { FailureOutcome } from "../result/outcome.js";

/** Every string a message uses, one catalogue per locale. */
export interface Catalogue {
  firing: string;
  resolved: string;
  reminder: string;
  critical: string;
  warning: string;
  unknown: string;
  headline(counts: { critical: number; warning: number; resolved: number; hosts: number }): string;
  hostRemoved: string;
  firingFor(duration: string): string;
  time: string;
  statusPage: string;
  andMore(n: number): string;
  part(i: number, n: number): string;
  stormSummary(hosts: number): string;
  check(name: string): string;
  processMissing: string;
  processUnknown: string;
  mountMissing: string;
  noResultFor(duration: string): string;
  pipelineStalled(duration: string): string;
  /** Why a host could not be checked, per stage outcome; the technical detail follows. */
  outcome: Record<FailureOutcome, string>;
  /** A storm's per-check line: how many hosts are not listed by name. */
  seeAll: string;
}

const CHECKS_ZH: Record<string, string> = {
  cpu: "CPU",
  memory: "内存",
  swap: "交换分区",
  load: "负载",
  reachability: "网络不可达",
  ssh: "SSH",
  probe: "探测",
  stale: "无检查结果",
  pipeline: "监控管道",
  stalled: "监控停滞",
};

const zhCN: Catalogue = {
  firing: "告警",
  resolved: "已恢复",
  reminder: "仍在告警",
  critical: "严重",
  warning: "警告",
  unknown: "未知",
  headline: ({ critical, warning, resolved, hosts }) =>
    [critical ? `${critical} 严重` : "", warning ? `${warning} 警告` : "", resolved ? `${resolved} 恢复` : ""].filter(Boolean).join("，") + `（${hosts} 台主机）`,
  hostRemoved: "主机已移出监控",
  firingFor: (d) => `，持续 ${d}`,
  time: "时间",
  statusPage: "查看状态页",
  andMore: (n) => `…另有 ${n} 台`,
  part: (i, n) => `（${i}/${n}）`,
  stormSummary: (hosts) => `${hosts} 台主机，按检查项汇总`,
  processMissing: "未运行",
  processUnknown: "无法判断（/proc 隐藏了其他用户的进程）",
  mountMissing: "主机上找不到该挂载点",
  noResultFor: (d) => `已 ${d} 没有检查结果`,
  pipelineStalled: (d) => `监控停滞：已 ${d} 没有任何检查结果（调度器或工作进程是否停止？）`,
  outcome: {
    unreachable: "无法连接（TCP 连接失败或超时）",
    ssh_timeout: "SSH 握手超时",
    auth_failed: "SSH 登录失败",
    hostkey_unknown: "主机密钥未知，未执行任何命令",
    hostkey_mismatch: "主机密钥已变更，未执行任何命令",
    probe_timeout: "探测超时",
    probe_failed: "探测失败",
  },
  seeAll: "查看全部",
  check: (name) => {
    const [kind, arg] = name.split(/:(.*)/s);
    if (kind === "disk") return `磁盘 ${arg}`;
    if (kind === "inodes") return `inode ${arg}`;
    if (kind === "process") return `进程 ${arg}`;
    return CHECKS_ZH[name] ?? name;
  },
};

const en: Catalogue = {
  firing: "FIRING",
  resolved: "RESOLVED",
  reminder: "STILL FIRING",
  critical: "critical",
  warning: "warning",
  unknown: "unknown",
  headline: ({ critical, warning, resolved, hosts }) =>
    [critical ? `${critical} critical` : "", warning ? `${warning} warning` : "", resolved ? `${resolved} resolved` : ""].filter(Boolean).join(", ") +
    ` (${hosts} host${hosts === 1 ? "" : "s"})`,
  hostRemoved: "host removed from monitoring",
  firingFor: (d) => `, for ${d}`,
  time: "Time",
  statusPage: "Status page",
  andMore: (n) => `…and ${n} more`,
  part: (i, n) => ` (${i}/${n})`,
  stormSummary: (hosts) => `${hosts} hosts, summarised by check`,
  processMissing: "not running",
  processUnknown: "cannot tell (/proc hides other users' processes)",
  mountMissing: "mount not found on the host",
  noResultFor: (d) => `no check result for ${d}`,
  pipelineStalled: (d) => `monitoring stalled: no check results at all for ${d} (scheduler or workers down?)`,
  outcome: {
    unreachable: "unreachable (TCP connect failed or timed out)",
    ssh_timeout: "SSH handshake timed out",
    auth_failed: "SSH login failed",
    hostkey_unknown: "host key unknown, nothing was run",
    hostkey_mismatch: "host key changed, nothing was run",
    probe_timeout: "probe timed out",
    probe_failed: "probe failed",
  },
  seeAll: "see all",
  check: (name) => name.replace(/^process:/, "process ").replace(/^disk:/, "disk ").replace(/^inodes:/, "inodes "),
};

export const CATALOGUES: Record<Locale, Catalogue> = { "zh-CN": zhCN, en };
