import type { Locale } from "@fleetwatch/core";

/** A time as the operator reads it, in notify.timezone: `2026-11-29 15:04:05`. */
export function formatTime(ms: number, timeZone: string): string {
  const parts = new Intl.DateTimeFormat("en-CA", { timeZone, year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false }).formatToParts(new Date(ms));
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  return `${get("year")}-${get("month")}-${get("day")} ${get("hour") === "24" ? "00" : get("hour")}:${get("minute")}:${get("second")}`;
}

/** `HH:MM` in the time zone, for chart axes. */
export function formatClock(ms: number, timeZone: string): string {
  return formatTime(ms, timeZone).slice(11, 16);
}

/** How long ago: `42s`, `5m 10s`, `3h 2m`, `2d 4h` (zh-CN: `42秒`, `5分10秒`…). */
export function formatAge(ms: number, locale: Locale): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  const zh = locale === "zh-CN";
  const u = zh ? { d: "天", h: "小时", m: "分", s: "秒", sep: "" } : { d: "d", h: "h", m: "m", s: "s", sep: " " };
  if (s < 60) return `${s}${u.s}`;
  if (s < 3600) return `${Math.floor(s / 60)}${u.m}${u.sep}${s % 60}${u.s}`;
  if (s < 86_400) return `${Math.floor(s / 3600)}${u.h}${u.sep}${Math.floor((s % 3600) / 60)}${u.m}`;
  return `${Math.floor(s / 86_400)}${u.d}${u.sep}${Math.floor((s % 86_400) / 3600)}${u.h}`;
}

export const percent = (n: number | undefined): string => (n === undefined ? "–" : `${n.toFixed(1)}%`);
export const decimal = (n: number | undefined): string => (n === undefined ? "–" : n.toFixed(2));
