import { isIP } from "node:net";
import { z } from "zod";
import { DURATION_PATTERN, parseDuration } from "../util/duration.js";

/** `500ms`, `30s`, `10m`, `4h`; parsed once into milliseconds. */
export const durationSchema = z
  .string({ error: "expected a duration like 500ms, 30s, 10m or 4h" })
  .regex(DURATION_PATTERN, { error: "expected a duration like 500ms, 30s, 10m or 4h" })
  .transform((text) => parseDuration(text)!)
  .refine((ms) => ms > 0, { error: "must be longer than zero" })
  .refine((ms) => ms <= MAX_DURATION_MS, { error: "must be at most 7d" });

const MAX_DURATION_MS = 7 * 86_400_000;

/** A duration within `[min, max]` milliseconds, named in the error as the user writes them. */
export const durationWithin = (minMs: number, maxMs: number, min: string, max: string) =>
  durationSchema.refine((ms) => ms >= minMs && ms <= maxMs, { error: `expected a duration from ${min} to ${max}` });

export const percentSchema = z
  .number({ error: "expected a number between 0 and 100" })
  .min(0, { error: "expected a number between 0 and 100" })
  .max(100, { error: "expected a number between 0 and 100" });

export const PROCESS_NAME_PATTERN = /^[A-Za-z0-9_][A-Za-z0-9._+@-]{0,63}$/;

/** A process name: strict characters, so it can only ever be data, never shell syntax. */
export const processNameSchema = z
  .string({ error: "expected a process name" })
  .regex(PROCESS_NAME_PATTERN, {
    error: "process names may use letters, digits and . _ + @ - (at most 64 characters)",
  });

export const MOUNT_PATH_PATTERN = /^\/(?:[A-Za-z0-9._+@-]+\/?)*$/;

/** An absolute mount path with a strict character set and no `..`. */
export const mountPathSchema = z
  .string({ error: "expected an absolute mount path" })
  .regex(MOUNT_PATH_PATTERN, {
    error: "mount paths must be absolute and use letters, digits and . _ + @ - /",
  })
  .refine((path) => !path.split("/").includes(".."), { error: "mount paths may not contain .." })
  .transform((path) => (path.length > 1 ? path.replace(/\/+$/, "") : path));

const DNS_NAME = /^(?=.{1,253}$)[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9_](?:[A-Za-z0-9_-]{0,61}[A-Za-z0-9])?)*\.?$/;

/** IPv4, IPv6 (without brackets) or a DNS name. */
export const addressSchema = z
  .string({ error: "expected an IPv4 or IPv6 address or a DNS name" })
  .refine((text) => isIP(text) !== 0 || DNS_NAME.test(text), {
    error: "expected an IPv4 or IPv6 address (no brackets) or a DNS name",
  });

export const HOST_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:@%-]{0,252}$/;

export const hostNameSchema = z
  .string({ error: "expected a host name" })
  .regex(HOST_NAME_PATTERN, { error: "host names may use letters, digits and . _ : @ % - (at most 253 characters)" });

export const portSchema = z
  .number({ error: "expected a port number between 1 and 65535" })
  .int({ error: "expected a port number between 1 and 65535" })
  .min(1, { error: "expected a port number between 1 and 65535" })
  .max(65535, { error: "expected a port number between 1 and 65535" });

export const absolutePathSchema = z
  .string({ error: "expected an absolute file path" })
  .refine((path) => path.startsWith("/"), { error: "expected an absolute file path" });
