import { spawn } from "node:child_process";
import { createWriteStream } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { Redis } from "ioredis";
import { readLatestResult } from "@fleetwatch/core";
import { CanaryProcess } from "./canary-process.js";
import { DingtalkStandIn, type ReceivedMessage } from "./dingtalk-stand-in.js";
import { writeFleetFile } from "./fleet-file.js";
import { Lab } from "./lab.js";
import { removeLabUser } from "./lab-user.js";
import { findSshd, findTool, MissingToolError } from "./openssh-tools.js";
import { startRedis } from "./redis-server.js";
import { waitFor } from "./wait-for.js";

const RUNNER = fileURLToPath(new URL("../../../apps/cli/dist/pipeline-runner.js", import.meta.url));
const TOKEN = "demo-token";
const SECRET = "SECdemo-signing-secret";

function show(message: ReceivedMessage, started: number): void {
  const rung = message.rung.length > 0 ? `, rings ${message.rung.join(", ")}` : "";
  console.log(`\n── DingTalk stand-in received at +${((message.at - started) / 1000).toFixed(1)}s${rung}: ${message.title}`);
  console.log(message.text.replace(/^/gm, "   │ "));
}

/**
 * `npm run demo:pipeline`: the whole pipeline on this machine — a private redis-server,
 * loopback sshd hosts, a DingTalk stand-in, and scheduler + worker + notifier started by
 * `fleetwatch-pipeline`. It stops a required process on one host, shows the message the
 * robot gets, brings it back and shows the recovery, then removes everything.
 */
async function main(): Promise<number> {
  try {
    findSshd();
    findTool("redis-server", "redis-server");
  } catch (error) {
    if (error instanceof MissingToolError) {
      console.error(`demo: ${error.message}`);
      return 1;
    }
    throw error;
  }
  const redisHandle = await startRedis();
  const standIn = new DingtalkStandIn({ robots: { [TOKEN]: SECRET } });
  await standIn.start();
  const lab = await Lab.create();
  const canary = new CanaryProcess(lab.dir, "order-service");
  const redis = new Redis(redisHandle.url, { maxRetriesPerRequest: null });
  let pipeline: ReturnType<typeof spawn> | undefined;
  try {
    canary.start();
    const hosts = await lab.startHosts({ count: 4 });
    const knownHosts = await lab.writeKnownHosts("known_hosts", hosts);
    const names = ["web-1", "web-2", "app-1", "db-1"];
    const fleet = writeFleetFile(
      lab,
      "fleet.yaml",
      knownHosts,
      names.map((name, i) => ({ name, host: hosts[i]!, ...(name === "app-1" ? { extra: "processes: [sshd, order-service]" } : {}) })),
      ["interval: 2s", "for: 2", "thresholds: { cpu: {}, load: {} }"],
      [
        "notify:",
        "  groupWait: 3s",
        "  groupInterval: 10s",
        "  repeatInterval: 4h",
        "  dingtalk:",
        "    - name: ops",
        "      webhook: ${DINGTALK_WEBHOOK}",
        "      secret: ${DINGTALK_SECRET}",
        '      atMobiles: ["13800000000"]',
        "      mentionOn: critical",
      ],
    );
    const log = join(lab.dir, "pipeline.log");
    console.log(`Redis ${redisHandle.url}, DingTalk stand-in ${standIn.url("…")}, 4 sshd hosts; fleet file ${fleet}`);
    console.log(`$ REDIS_URL=${redisHandle.url} fleetwatch-pipeline --config fleet.yaml   (logs: ${log})`);
    const started = Date.now();
    pipeline = spawn(process.execPath, [RUNNER, "--config", fleet], {
      // Any free HTTP ports: the default ones may be taken by a fleetwatch already running here.
      env: { ...process.env, HTTP_PORT: "0", REDIS_URL: redisHandle.url, DINGTALK_WEBHOOK: standIn.url(TOKEN), DINGTALK_SECRET: SECRET },
      stdio: ["ignore", "pipe", "pipe"],
    });
    const out = createWriteStream(log);
    pipeline.stdout!.pipe(out);
    pipeline.stderr!.pipe(out);

    await waitFor("every host's first check", async () => {
      for (const name of names) if ((await readLatestResult(redis, name))?.outcome !== "ok") return undefined;
      return true;
    }, 60_000);
    console.log(`+${((Date.now() - started) / 1000).toFixed(1)}s  all 4 hosts checked: ok`);
    await canary.stop();
    console.log(`+${((Date.now() - started) / 1000).toFixed(1)}s  stopped order-service, which app-1 requires`);
    show(await waitFor("the firing message", () => standIn.received[0], 60_000), started);
    canary.start();
    console.log(`\n+${((Date.now() - started) / 1000).toFixed(1)}s  started order-service again`);
    show(await waitFor("the resolved message", () => standIn.received[1], 60_000), started);
    console.log(`\nThe stand-in received ${standIn.received.length} message(s) in ${standIn.attempts.length} request(s); DingTalk error codes: ${standIn.attempts.filter((a) => a.errcode).length}.`);
    return 0;
  } finally {
    if (pipeline && pipeline.exitCode === null) {
      const exited = new Promise((r) => pipeline!.once("exit", r));
      pipeline.kill("SIGINT");
      console.log(`Ctrl-C to fleetwatch-pipeline: it exited with ${await exited}.`);
    }
    await canary.stop();
    redis.disconnect();
    await redisHandle.stop();
    await standIn.stop();
    await lab.close();
    await removeLabUser(lab.user);
    console.log("Stopped the pipeline, Redis, the stand-in and the demo hosts.");
  }
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`demo failed: ${process.env.DEBUG ? (error.stack ?? error.message) : error.message}`);
    process.exit(1);
  },
);
