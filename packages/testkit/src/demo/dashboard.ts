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

/** Starts `fleetwatch-dashboard --config FILE` behind the demo's login and waits until it answers. */
export async function startDashboard(
  plan: DashboardPlan,
  fleetFile: string,
  env: Record<string, string>,
  dir: string,
  supervisor: Supervisor,
): Promise<RunningDashboard> {
  const log = join(dir, "dashboard.log");
  const out = createWriteStream(log);
  const child = supervisor.spawn(process.execPath, [DASHBOARD, "--config", fleetFile], {
    env: { ...process.env, ...env, HTTP_PORT: String(plan.port), FLEETWATCH_HTTP_USER: plan.user, FLEETWATCH_HTTP_PASSWORD: plan.password },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout!.pipe(out);
  child.stderr!.pipe(out);
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  supervisor.atCleanup("stop fleetwatch-dashboard", async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGTERM");
    await exited;
  });
  await waitFor(
    "the dashboard to answer /healthz",
    async () => {
      if (child.exitCode !== null) throw new Error(`fleetwatch-dashboard exited with ${child.exitCode}; see ${log}`);
      try {
        return (await fetch(`${plan.url}/healthz`)).ok;
      } catch {
        return false;
      }
    },
    60_000,
  );
  return { ...plan, log };
}
