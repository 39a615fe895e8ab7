import { isIP } from "node:net";
import type { Result } from "../util/result.js";
import { err, ok } from "../util/result.js";

/** Default HTTP port of each app that serves HTTP (`HTTP_PORT` overrides it). */
export const DEFAULT_HTTP_PORTS = {
  "fleetwatch-scheduler": 9401,
  "fleetwatch-worker": 9402,
  "fleetwatch-notifier": 9403,
  "fleetwatch-dashboard": 8080,
} as const;

export type HttpAppName = keyof typeof DEFAULT_HTTP_PORTS;

export interface HttpCredentials {
  user: string;
  password: string;
}

export interface HttpSettings {
  /** Address to bind. @defaultValue "127.0.0.1" */
  host: string;
  /** Port to bind; 0 picks a free one (logged once bound). @defaultValue the app's own, see DEFAULT_HTTP_PORTS */
  port: number;
  /** HTTP Basic credentials; when set, every route but /healthz needs them. */
  credentials?: HttpCredentials;
}

/** True for addresses only this machine can reach: 127.0.0.0/8, ::1, localhost. */
export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, "").toLowerCase();
  if (bare === "localhost" || bare === "::1") return true;
  if (bare.startsWith("::ffff:")) return isLoopbackHost(bare.slice("::ffff:".length));
  return isIP(bare) === 4 && bare.startsWith("127.");
}

/**
 * HTTP settings from the environment: `HTTP_HOST`, `HTTP_PORT` (a number, `0` for any free
 * port, `off` for no HTTP at all), `FLEETWATCH_HTTP_USER` and `FLEETWATCH_HTTP_PASSWORD`.
 * Returns undefined for `off`. An app bound off loopback without credentials is refused:
 * its queues and metrics would be open to the network.
 */
export function httpSettingsFromEnv(app: HttpAppName, env: NodeJS.ProcessEnv = process.env): Result<HttpSettings | undefined, string> {
  const portText = env.HTTP_PORT?.trim() || String(DEFAULT_HTTP_PORTS[app]);
  if (portText.toLowerCase() === "off") return ok(undefined);
  if (!/^\d{1,5}$/.test(portText) || Number(portText) > 65_535) {
    return err(`HTTP_PORT=${portText} is not a port: use a number from 1 to 65535, 0 for any free port, or off to serve no HTTP`);
  }
  const host = env.HTTP_HOST?.trim() || "127.0.0.1";
  if (host.includes("/") || host.includes(" ") || (host.includes(":") && isIP(host.replace(/^\[|\]$/g, "")) !== 6)) {
    return err(`HTTP_HOST=${host} is not an address to bind: use an IP address such as 127.0.0.1 or 0.0.0.0, or a host name`);
  }
  const user = env.FLEETWATCH_HTTP_USER ?? "";
  const password = env.FLEETWATCH_HTTP_PASSWORD ?? "";
  if ((user === "") !== (password === "")) {
    const missing = user === "" ? "FLEETWATCH_HTTP_USER" : "FLEETWATCH_HTTP_PASSWORD";
    return err(`${missing} is not set: set both FLEETWATCH_HTTP_USER and FLEETWATCH_HTTP_PASSWORD to require a login, or neither`);
  }
  if (user.includes(":")) return err("FLEETWATCH_HTTP_USER may not contain ':' (HTTP Basic separates user and password with it)");
  const credentials = user === "" ? undefined : { user, password };
  if (!credentials && !isLoopbackHost(host)) {
    return err(
      `refusing to serve HTTP on ${host} without a login: set FLEETWATCH_HTTP_USER and FLEETWATCH_HTTP_PASSWORD, or bind to loopback (HTTP_HOST=127.0.0.1), or turn HTTP off (HTTP_PORT=off)`,
    );
  }
  return ok({ host, port: Number(portText), ...(credentials ? { credentials } : {}) });
}
