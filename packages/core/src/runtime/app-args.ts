import { parseArgs } from "node:util";
import type { Result } from "../util/result.js";
import { err, ok } from "../util/result.js";
import { MISSING_REDIS_URL, redisUrlFromEnv } from "../pipeline/redis-connection.js";
import type { RedisTarget } from "../pipeline/redis-url.js";
import { parseRedisUrl } from "../pipeline/redis-url.js";
import { appUsage } from "./app-usage.js";
import { fleetwatchVersion } from "./version.js";

export interface AppArgs {
  config: string;
  redisUrl: string;
  redis: RedisTarget;
}

/** `--version` or `--help` asked for: print this to stdout and exit 0. */
export interface AppInfoRequest {
  print: string;
}

/**
 * `--config FILE` and REDIS_URL, which every pipeline app needs and none defaults; or
 * `--version` / `--help`. A usage mistake is an error sentence (exit 2).
 */
export function parseAppArgs(app: string, argv: string[], env: NodeJS.ProcessEnv = process.env): Result<AppArgs | AppInfoRequest, string> {
  let values: { config?: string; help?: boolean; version?: boolean };
  try {
    values = parseArgs({
      args: argv,
      options: { config: { type: "string", short: "c" }, help: { type: "boolean", short: "h" }, version: { type: "boolean", short: "V" } },
      strict: true,
    }).values;
  } catch (error) {
    return err(`${app}: ${(error as Error).message}\nusage: ${app} --config FILE   (with REDIS_URL set; ${app} --help for more)`);
  }
  if (values.help) return ok({ print: appUsage(app) });
  if (values.version) return ok({ print: `${app} ${fleetwatchVersion()}\n` });
  if (!values.config) return err(`${app}: --config FILE is required (your fleet.yaml)\nusage: ${app} --config FILE   (with REDIS_URL set; ${app} --help for more)`);
  const redisUrl = redisUrlFromEnv(env);
  if (!redisUrl) return err(`${app}: ${MISSING_REDIS_URL}`);
  const redis = parseRedisUrl(redisUrl);
  if (!redis.ok) return err(`${app}: ${redis.error}`);
  return ok({ config: values.config, redisUrl, redis: redis.value });
}

/** Narrows a parsed command line to "run the app". */
export const isAppInfoRequest = (args: AppArgs | AppInfoRequest): args is AppInfoRequest => "print" in args;

/**
 * What a process does with its arguments before anything else: `--help` / `--version`
 * print and exit 0; a mistake is said in one line and exits 2; otherwise the arguments.
 */
export function appArgsOrExit(app: string, argv: string[]): AppArgs {
  const args = parseAppArgs(app, argv);
  if (!args.ok) {
    process.stderr.write(`${args.error}\n`);
    process.exit(2);
  }
  if (isAppInfoRequest(args.value)) {
    process.stdout.write(args.value.print);
    process.exit(0);
  }
  return args.value;
}
