import type { FleetHostState, Locale, TimelineKind } from "@fleetwatch/core";

/** Every word the pages show, per locale (notify.locale). */
export interface PageText {
  lang: string;
  fleet: string;
  alerts: string;
  queues: string;
  host: string;
  group: string;
  state: string;
  age: string;
  cpu: string;
  memory: string;
  disk: string;
  load: string;
  missing: string;
  recent: string;
  name: string;
  all: string;
  filter: string;
  clear: string;
  legend: string;
  legendStrip: string;
  noHosts: string;
  page(p: number, n: number, matching: number): string;
  previous: string;
  next: string;
  refreshed(time: string, tz: string): string;
  states: Record<FleetHostState, string>;
  severities: Record<"ok" | "warning" | "critical" | "unknown", string>;
  checks: string;
  check: string;
  value: string;
  threshold: string;
  message: string;
  history: string;
  timeline: string;
  noEvents: string;
  silences: string;
  noSilences: string;
  lastFailure: string;
  never: string;
  kinds: Record<TimelineKind, string>;
  firingAndPending: string;
  noAlerts: string;
  since: string;
  status: string;
  firing: string;
  pending: string;
  silenced: string;
  newSilence: string;
  hostPattern: string;
  checkPattern: string;
  duration: string;
  reason: string;
  author: string;
  matchAll: string;
  create: string;
  expire: string;
  ends: string;
  active: string;
  expired: string;
  scheduled: string;
  unknownHost(host: string): string;
  noResultYet: string;
  chartEmpty: string;
  perCore: string;
  robots: string;
  robot: string;
  queued: string;
  robotStates: { ok: string; paused: string; failing: string };
}

const en: PageText = {
  lang: "en",
  fleet: "Fleet",
  alerts: "Alerts",
  queues: "Queues",
  host: "Host",
  group: "Group",
  state: "State",
  age: "Last result",
  cpu: "CPU",
  memory: "Memory",
  disk: "Worst disk",
  load: "Load",
  missing: "Missing processes",
  recent: "Recent results",
  name: "Name",
  all: "all",
  filter: "Filter",
  clear: "Clear",
  legend: "Legend",
  legendStrip: "Recent results, oldest left: taller bar = worse result",
  noHosts: "No host matches.",
  page: (p, n, m) => `Page ${p} of ${n} (${m} hosts)`,
  previous: "← Previous",
  next: "Next →",
  refreshed: (t, tz) => `As of ${t} (${tz}); refreshes every 30 s`,
  states: { silenced: "silenced", stale: "stale", unreachable: "unreachable", critical: "critical", warning: "warning", unknown: "unknown", pending: "pending", ok: "ok" },
  severities: { ok: "ok", warning: "warning", critical: "critical", unknown: "unknown" },
  checks: "Checks",
  check: "Check",
  value: "Value",
  threshold: "Thresholds (warning / critical)",
  message: "Message",
  history: "History",
  timeline: "Alert timeline",
  noEvents: "No events yet.",
  silences: "Silences",
  noSilences: "No silences.",
  lastFailure: "Last failure",
  never: "none recorded",
  kinds: { fired: "fired", escalated: "escalated", resolved: "resolved", silenced: "silenced", notified: "notified", parked: "parked" },
  firingAndPending: "Firing and pending alerts",
  noAlerts: "No alerts are firing or pending.",
  since: "Since",
  status: "Status",
  firing: "firing",
  pending: "pending",
  silenced: "silenced",
  newSilence: "New silence",
  hostPattern: "Host pattern",
  checkPattern: "Check pattern",
  duration: "For",
  reason: "Reason",
  author: "Author",
  matchAll: "I mean every check of every host (mutes the whole fleet)",
  create: "Create silence",
  expire: "Expire",
  ends: "Ends",
  active: "active",
  expired: "expired",
  scheduled: "scheduled",
  unknownHost: (h) => `${h} is not a host of the monitored fleet.`,
  noResultYet: "No result yet.",
  chartEmpty: "no figures in this window",
  perCore: "per core",
  robots: "DingTalk robots",
  robot: "Robot",
  queued: "Queued",
  robotStates: { ok: "delivering", paused: "paused", failing: "failing" },
};

const zhCN: PageText = {
  lang: "zh-CN",
  fleet: "主机总览",
  alerts: "告警",
  queues: "队列",
  host: "主机",
  group: "分组",
  state: "状态",
  age: "最近结果",
  cpu: "CPU",
  memory: "内存",
  disk: "最满磁盘",
  load: "负载",
  missing: "缺失进程",
  recent: "最近结果",
  name: "名称",
  all: "全部",
  filter: "筛选",
  clear: "清除",
  legend: "图例",
  legendStrip: "最近结果，左旧右新：柱越高越严重",
  noHosts: "没有符合条件的主机。",
  page: (p, n, m) => `第 ${p}/${n} 页（共 ${m} 台主机）`,
  previous: "← 上一页",
  next: "下一页 →",
  refreshed: (t, tz) => `更新于 ${t}（${tz}），每 30 秒自动刷新`,
  states: { silenced: "已静默", stale: "数据过期", unreachable: "不可达", critical: "严重", warning: "警告", unknown: "未知", pending: "待确认", ok: "正常" },
  severities: { ok: "正常", warning: "警告", critical: "严重", unknown: "未知" },
  checks: "检查项",
  check: "检查",
  value: "数值",
  threshold: "阈值（警告 / 严重）",
  message: "说明",
  history: "历史",
  timeline: "告警时间线",
  noEvents: "暂无事件。",
  silences: "静默",
  noSilences: "没有静默。",
  lastFailure: "最近一次失败",
  never: "无记录",
  kinds: { fired: "触发", escalated: "升级", resolved: "恢复", silenced: "静默", notified: "已通知", parked: "投递搁置" },
  firingAndPending: "告警中与待确认的告警",
  noAlerts: "没有告警或待确认的告警。",
  since: "开始于",
  status: "状态",
  firing: "告警中",
  pending: "待确认",
  silenced: "已静默",
  newSilence: "新建静默",
  hostPattern: "主机匹配",
  checkPattern: "检查项匹配",
  duration: "时长",
  reason: "原因",
  author: "创建人",
  matchAll: "确认静默所有主机的所有检查项（整个集群静音）",
  create: "创建静默",
  expire: "结束",
  ends: "结束于",
  active: "生效中",
  expired: "已结束",
  scheduled: "未开始",
  unknownHost: (h) => `${h} 不是受监控集群中的主机。`,
  noResultYet: "尚无检查结果。",
  chartEmpty: "此时段没有数据",
  perCore: "每核",
  robots: "钉钉机器人",
  robot: "机器人",
  queued: "待发送",
  robotStates: { ok: "正常投递", paused: "已暂停", failing: "投递失败" },
};

export const PAGE_TEXT: Record<Locale, PageText> = { en, "zh-CN": zhCN };
