#!/usr/bin/env node
import { parseArgs } from "node:util";
import { EXIT, processIo } from "./cli-io.js";
import { checkCommand } from "./commands/check-command.js";
import { configValidateCommand } from "./commands/config-validate-command.js";
import { silenceAdd, silenceExpire, silenceList } from "./commands/silence-command.js";
import { statusCommand } from "./commands/status-command.js";
import { defaultStatePath } from "./notify/state-file.js";
import { createRedis, MISSING_REDIS_URL, parseRedisUrl, redisUrlFromEnv } from "@fleetwatch/core";
import { USAGE } from "./usage.js";

function usageError(message: string): number {
  process.stderr.write(`fleetwatch: ${message}\n\n${USAGE}`);
  return EXIT.usage;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  const io = processIo();
  switch (command) {
    case "check": {
      const { values } = parseArgs({
        args: rest,
        options: {
          config: { type: "string", short: "c" },
          concurrency: { type: "string", default: "50" },
          host: { type: "string" },
          json: { type: "boolean", default: false },
          notify: { type: "boolean", default: false },
          state: { type: "string" },
        },
        strict: true,
      });
      if (!values.config) return usageError("check needs -c FILE (your fleet.yaml)");
      const concurrency = Number(values.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 5000) {
        return usageError("--concurrency must be a whole number from 1 to 5000");
      }
      return checkCommand(
        {
          config: values.config,
          concurrency,
          json: values.json,
          ...(values.host ? { host: values.host } : {}),
          ...(values.notify ? { notify: { state: values.state ?? defaultStatePath() } } : {}),
        },
        io,
      );
    }
    case "config": {
      const [verb, file, ...extra] = rest;
      if (verb !== "validate" || !file || extra.length > 0) return usageError("usage: fleetwatch config validate FILE");
      return configValidateCommand(file, io);
    }
    case "silence":
    case "status":
      return withRedis(command, rest);
    case undefined:
    case "help":
    case "--help":
    case "-h":
      process.stdout.write(USAGE);
      return command === undefined ? EXIT.usage : EXIT.ok;
    default:
      return usageError(`unknown command "${command}"`);
  }
}

/** Commands that talk to the pipeline's Redis. */
async function withRedis(command: "silence" | "status", argv: string[]): Promise<number> {
  const url = redisUrlFromEnv();
  if (!url) {
    process.stderr.write(`fleetwatch: ${MISSING_REDIS_URL}\n`);
    return EXIT.unknown;
  }
  const target = parseRedisUrl(url);
  if (!target.ok) {
    process.stderr.write(`fleetwatch: ${target.error}\n`);
    return EXIT.unknown;
  }
  const io = processIo();
  const redis = createRedis(target.value, { maxRetriesPerRequest: 3, retryStrategy: () => null });
  redis.on("error", () => {});
  try {
    if (command === "status") {
      const { values } = parseArgs({
        args: argv,
        options: { host: { type: "string" }, state: { type: "string" }, group: { type: "string" }, json: { type: "boolean", default: false } },
        strict: true,
      });
      return await statusCommand(
        redis,
        { json: values.json, ...(values.host ? { host: values.host } : {}), ...(values.state ? { state: values.state } : {}), ...(values.group ? { group: values.group } : {}) },
        io,
      );
    }
    const [verb, ...rest] = argv;
    switch (verb) {
      case "add": {
        const { values } = parseArgs({
          args: rest,
          options: {
            host: { type: "string", default: "*" },
            check: { type: "string", default: "*" },
            for: { type: "string" },
            reason: { type: "string" },
            author: { type: "string" },
            pipeline: { type: "string" },
          },
          strict: true,
        });
        if (!values.for || !values.reason) return usageError("silence add needs --for DURATION and --reason TEXT");
        const target = values.pipeline ? { pipeline: values.pipeline } : { host: values.host, check: values.check };
        return await silenceAdd(
          redis,
          { ...target, duration: values.for, reason: values.reason, ...(values.author ? { author: values.author } : {}) },
          io,
        );
      }
      case "list":
        return await silenceList(redis, io);
      case "expire":
        if (rest.length !== 1) return usageError("usage: fleetwatch silence expire ID");
        return await silenceExpire(redis, rest[0]!, io);
      default:
        return usageError("usage: fleetwatch silence add|list|expire");
    }
  } catch (error) {
    process.stderr.write(`fleetwatch: cannot talk to Redis at ${target.value.display}: ${(error as Error).message}; check REDIS_URL and that Redis is running\n`);
    return EXIT.unknown;
  } finally {
    redis.disconnect();
  }
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: Error & { code?: string }) => {
    if (error.code?.startsWith("ERR_PARSE_ARGS")) process.exitCode = usageError(error.message);
    else {
      process.stderr.write(`fleetwatch: internal error: ${error.stack ?? error.message}\n`);
      process.exitCode = EXIT.unknown;
    }
  },
);
