import { parseArgs } from "node:util";
import type { Result } from "../util/result.js";
import { err, ok } from "../util/result.js";
import { MISSING_REDIS_URL, redisUrlFromEnv } from "../pipeline/redis-connection.js";

export interface AppArgs {
  config: string;
  redisUrl: string;
}

/** `--config FILE` and REDIS_URL, which every pipeline app needs and none defaults. */
export function parseAppArgs(app: string, argv: string[], env: NodeJS.ProcessEnv = process.env): Result<AppArgs, string> {
  let config: string | undefined;
  try {
    const { values } = parseArgs({ args: argv, options: { config: { type: "string", short: "c" } }, strict: true });
    config = values.config;
  } catch (error) {
    return err(`${app}: ${(error as Error).message}\nusage: ${app} --config FILE   (with REDIS_URL set)`);
  }
  if (!config) return err(`${app}: --config FILE is required (your fleet.yaml)\nusage: ${app} --config FILE   (with REDIS_URL set)`);
  const redisUrl = redisUrlFromEnv(env);
  if (!redisUrl) return err(`${app}: ${MISSING_REDIS_URL}`);
  return ok({ config, redisUrl });
}
