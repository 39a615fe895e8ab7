import type { Result } from "../util/result.js";
import { err, ok } from "../util/result.js";

export interface RedisNode {
  host: string;
  port: number;
}

/** Where Redis is, from REDIS_URL: one server, or a cluster's seed nodes. */
export interface RedisTarget {
  kind: "single" | "cluster";
  nodes: RedisNode[];
  tls: boolean;
  username?: string;
  password?: string;
  /** Database number (single server only; a cluster has only 0). */
  db: number;
  /** The address for logs and messages: never the password. */
  display: string;
}

export const REDIS_URL_GRAMMAR =
  "expected redis://[user:password@]host[:port][/db] or rediss://… (TLS); several, comma-separated, name a Redis Cluster's seed nodes";

/** Hides whatever sits between `//` and `@`, so an error about a URL never shows its password. */
export const hideCredentials = (text: string): string => text.replace(/\/\/[^@/]*@/g, "//***@");

interface ParsedPart {
  scheme: "redis" | "rediss";
  node: RedisNode;
  username: string;
  password: string;
  db: number;
}

function parsePart(part: string): Result<ParsedPart, string> {
  const shown = hideCredentials(part);
  const scheme = /^(rediss?):\/\//i.exec(part)?.[1]?.toLowerCase();
  if (scheme !== "redis" && scheme !== "rediss") return err(`"${shown}" does not start with redis:// or rediss://`);
  let url: URL;
  try {
    url = new URL(part);
  } catch {
    return err(`"${shown}" is not a valid URL`);
  }
  const host = url.hostname.replace(/^\[|\]$/g, "");
  if (host === "") return err(`"${shown}" names no host`);
  if (url.search !== "" || url.hash !== "") return err(`"${shown}" has options after ? or #, which fleetwatch does not read`);
  const path = url.pathname;
  if (path !== "" && path !== "/" && !/^\/\d{1,5}$/.test(path)) return err(`"${shown}": the path must be a database number such as /0`);
  const db = path.length > 1 ? Number(path.slice(1)) : 0;
  let username: string;
  let password: string;
  try {
    username = decodeURIComponent(url.username);
    password = decodeURIComponent(url.password);
  } catch {
    return err(`"${shown}": the user or password is not valid percent-encoding`);
  }
  return ok({ scheme, node: { host, port: url.port === "" ? 6379 : Number(url.port) }, username, password, db });
}

/**
 * Reads REDIS_URL: one `redis://` or `rediss://` URL, or several comma-separated, which are
 * a Redis Cluster's seed nodes (same scheme and credentials on each). Errors are one
 * sentence that never shows the password.
 */
export function parseRedisUrl(text: string): Result<RedisTarget, string> {
  const parts = text.split(",").map((p) => p.trim());
  if (parts.some((p) => p === "")) return err(`REDIS_URL "${hideCredentials(text)}" has an empty entry; ${REDIS_URL_GRAMMAR}`);
  const parsed: ParsedPart[] = [];
  for (const part of parts) {
    const one = parsePart(part);
    if (!one.ok) return err(`REDIS_URL is not valid: ${one.error}; ${REDIS_URL_GRAMMAR}`);
    parsed.push(one.value);
  }
  const first = parsed[0]!;
  const cluster = parsed.length > 1;
  if (cluster) {
    if (parsed.some((p) => p.scheme !== first.scheme)) return err("REDIS_URL mixes redis:// and rediss:// seed nodes; a cluster uses one or the other");
    if (parsed.some((p) => p.username !== first.username || p.password !== first.password)) {
      return err("REDIS_URL gives its cluster seed nodes different users or passwords; a cluster has one");
    }
    if (parsed.some((p) => p.db !== 0)) return err("REDIS_URL names a database number for a cluster; Redis Cluster has only database 0");
  }
  const nodes = parsed.map((p) => p.node);
  const address = (n: RedisNode) => `${n.host.includes(":") ? `[${n.host}]` : n.host}:${n.port}`;
  const display = cluster
    ? `${first.scheme}://${nodes.map(address).join(",")} (cluster)`
    : `${first.scheme}://${address(first.node)}${first.db ? `/${first.db}` : ""}`;
  return ok({
    kind: cluster ? "cluster" : "single",
    nodes,
    tls: first.scheme === "rediss",
    ...(first.username ? { username: first.username } : {}),
    ...(first.password ? { password: first.password } : {}),
    db: first.db,
    display,
  });
}
