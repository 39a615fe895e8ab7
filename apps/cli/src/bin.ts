#!/usr/bin/env node
import { parseArgs } from "node:util";
import { EXIT, processIo } from "./cli-io.js";
import { checkCommand } from "./commands/check-command.js";
import { configValidateCommand } from "./commands/config-validate-command.js";
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
        },
        strict: true,
      });
      if (!values.config) return usageError("check needs -c FILE (your fleet.yaml)");
      const concurrency = Number(values.concurrency);
      if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 5000) {
        return usageError("--concurrency must be a whole number from 1 to 5000");
      }
      return checkCommand({ config: values.config, concurrency, json: values.json, ...(values.host ? { host: values.host } : {}) }, io);
    }
    case "config": {
      const [verb, file, ...extra] = rest;
      if (verb !== "validate" || !file || extra.length > 0) return usageError("usage: fleetwatch config validate FILE");
      return configValidateCommand(file, io);
    }
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
