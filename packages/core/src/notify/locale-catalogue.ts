import type { Locale } from "../config/notify-schema.js";

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
  stormSummary: (hosts) => `大范围故障：${hosts} 台主机，按检查项汇总`,
  processMissing: "未运行",
  processUnknown: "无法判断（/proc 隐藏了其他用户的进程）",
  mountMissing: "主机上找不到该挂载点",
  noResultFor: (d) => `已 ${d} 没有检查结果`,
  pipelineStalled: (d) => `监控停滞：已 ${d} 没有任何检查结果（调度器或工作进程是否停止？）`,
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
  stormSummary: (hosts) => `Widespread failure: ${hosts} hosts, summarised by check`,
  processMissing: "not running",
  processUnknown: "cannot tell (/proc hides other users' processes)",
  mountMissing: "mount not found on the host",
  noResultFor: (d) => `no check result for ${d}`,
  pipelineStalled: (d) => `monitoring stalled: no check results at all for ${d} (scheduler or workers down?)`,
  check: (name) => name.replace(/^process:/, "process ").replace(/^disk:/, "disk ").replace(/^inodes:/, "inodes "),
};

export const CATALOGUES: Record<Locale, Catalogue> = { "zh-CN": zhCN, en };
