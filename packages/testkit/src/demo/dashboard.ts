import { randomBytes } from "node:crypto";
import { createWriteStream } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { freePort } from "../free-port.js";
import { waitFor } from "../wait-for.js";
import type { Supervisor } from "./supervisor.js";

const DASHBOARD = fileURLToPath(new URL("../../../../apps/dashboard/dist/main.js", import.meta.url));
/** The dashboard's own default port, used when it is free. */
const PREFERRED_PORT = 8080;

export interface DashboardPlan {
  url: string;
  port: number;
  user: string;
  password: string;
}

export interface RunningDashboard extends DashboardPlan {
  log: string;
}

const portIsFree = (port: number) =>
  new Promise<boolean>((resolve) => {
    const server = createServer();
    server.once("error", () => resolve(false));
    server.listen(port, "127.0.0.1", () => server.close(() => resolve(true)));
  });

/**
 * Where the dashboard will listen (8080 when free, as in production; another free port
 * otherwise) and its login for this run: decided before the fleet file is written, whose
 * messages link to it (`notify.dashboardUrl`).
 */
export async function planDashboard(): Promise<DashboardPlan> {
  const port = (await portIsFree(PREFERRED_PORT)) ? PREFERRED_PORT : await freePort();
  return { url: `http://127.0.0.1:${port}`, port, user: "demo", password: randomBytes(9).toString("base64url") };
}

/** How many times the demo tries another port when the planned one was taken meanwhile. */
const PORT_ATTEMPTS = 3;

/**
 * Starts `fleetwatch-dashboard --config FILE` behind the demo's login and waits until it
 * says it listens. The fleet file (which links messages to the dashboard) is written for
 * the port tried; when another program took that port between planning and binding (two
 * demos at once), the demo moves to a free port, rewrites the file and starts again. Only
 * this child's own "listening" line counts, never an answer from whoever holds the port.
 */
export async function startDashboard(
  plan: DashboardPlan,
  writeFleetFile: (dashboardUrl: string) => string,
  env: Record<string, string>,
  dir: string,
  supervisor: Supervisor,
): Promise<RunningDashboard & { fleetFile: string }> {
  for (let attempt = 1; ; attempt += 1) {
    const fleetFile = writeFleetFile(plan.url);
    const started = await startOnce(plan, fleetFile, env, dir, supervisor, attempt);
    if (started === "port-taken" && attempt < PORT_ATTEMPTS) {
      const port = await freePort();
      plan = { ...plan, port, url: `http://127.0.0.1:${port}` };
      continue;
    }
    if (started === "port-taken") throw new Error(`every port tried for the dashboard was taken (last ${plan.port})`);
    return { ...plan, log: started.log, fleetFile };
  }
}

async function startOnce(
  plan: DashboardPlan,
  fleetFile: string,
  env: Record<string, string>,
  dir: string,
  supervisor: Supervisor,
  attempt: number,
): Promise<{ log: string } | "port-taken"> {
  const log = join(dir, attempt === 1 ? "dashboard.log" : `dashboard.${attempt}.log`);
  const out = createWriteStream(log);
  const child = supervisor.spawn(process.execPath, [DASHBOARD, "--config", fleetFile], {
    env: { ...process.env, ...env, HTTP_PORT: String(plan.port), FLEETWATCH_HTTP_USER: plan.user, FLEETWATCH_HTTP_PASSWORD: plan.password },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let said = "";
  const listen = (chunk: Buffer) => {
    said += chunk.toString("utf8");
  };
  child.stdout!.on("data", listen);
  child.stderr!.on("data", listen);
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  supervisor.atCleanup("stop fleetwatch-dashboard", async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  });
  const outcome = await waitFor(
    "the dashboard to say it listens",
    () => {
      if (said.includes(`HTTP listening on ${plan.url}`)) return "listening" as const;
      if (child.exitCode === null && child.signalCode === null) return undefined;
      if (said.includes("already in use")) return "port-taken" as const;
      throw new Error(`fleetwatch-dashboard exited with ${child.exitCode ?? child.signalCode}; see ${log}`);
    },
    60_000,
  );
  if (outcome === "port-taken") return outcome;
  await waitFor(
    "the dashboard to answer /healthz",
    async () => {
      try {
        return (await fetch(`${plan.url}/healthz`)).ok;
      } catch {
        return false;
      }
    },
    60_000,
  );
  return { log };
}
