import { spawn, type ChildProcess } from "node:child_process";
import { createWriteStream, readFileSync } from "node:fs";
import { waitFor } from "@fleetwatch/testkit";

/** uid/gid of `nobody` when the tests run as root, so apps are rehearsed as an unprivileged user. */
export const UNPRIVILEGED = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};

/** One app as a deployment would run it: a command line and an environment, logs to a file. */
export class Service {
  readonly child: ChildProcess;
  readonly exited: Promise<number | null>;

  constructor(
    readonly name: string,
    command: readonly string[],
    options: { env: NodeJS.ProcessEnv; cwd: string; logFile: string; uid?: number; gid?: number },
  ) {
    const log = createWriteStream(options.logFile, { flags: "a" });
    this.child = spawn(command[0]!, command.slice(1), {
      env: options.env,
      cwd: options.cwd,
      stdio: ["ignore", "pipe", "pipe"],
      ...(options.uid !== undefined ? { uid: options.uid, gid: options.gid } : {}),
    });
    this.child.stdout!.pipe(log);
    this.child.stderr!.pipe(log);
    this.exited = new Promise((resolve) => this.child.once("exit", (code) => resolve(code)));
    this.logFile = options.logFile;
  }

  readonly logFile: string;

  log(): string {
    try {
      return readFileSync(this.logFile, "utf8");
    } catch {
      return "";
    }
  }

  async stop(): Promise<number | null> {
    if (this.child.exitCode === null && this.child.signalCode === null) this.child.kill("SIGTERM");
    const timer = setTimeout(() => this.child.kill("SIGKILL"), 15_000);
    const code = await this.exited;
    clearTimeout(timer);
    return code;
  }
}

export const basicAuth = (user: string, password: string) => `Basic ${Buffer.from(`${user}:${password}`).toString("base64")}`;

export async function get(url: string, authorization?: string): Promise<{ status: number; body: string }> {
  const response = await fetch(url, { headers: authorization ? { authorization } : {}, signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.text() };
}

/** Waits until /healthz answers 200 (or the service exits, which fails with its log). */
export async function waitHealthy(service: Service, base: string): Promise<void> {
  await waitFor(
    `${service.name} to answer ${base}/healthz`,
    async () => {
      if (service.child.exitCode !== null) throw new Error(`${service.name} exited ${service.child.exitCode}:\n${service.log()}`);
      return get(`${base}/healthz`).then(
        (r) => r.status === 200,
        () => false,
      );
    },
    60_000,
  );
}

/** /healthz open, /readyz and /metrics behind Basic auth and answering with it. */
export async function expectHttpSurface(base: string, authorization: string, expect: (actual: unknown) => { toBe(v: unknown): void; toContain(v: string): void }): Promise<void> {
  expect((await get(`${base}/healthz`)).status).toBe(200);
  expect((await get(`${base}/readyz`)).status).toBe(401);
  expect((await get(`${base}/metrics`)).status).toBe(401);
  let last = "";
  const ready = await waitFor(`${base}/readyz to say ready`, async () => {
    const r = await get(`${base}/readyz`, authorization);
    last = `${r.status} ${r.body}`;
    return r.status === 200 && r;
  }, 60_000).catch((error: Error) => {
    throw new Error(`${error.message}; last /readyz answer: ${last}`);
  });
  expect(ready.status).toBe(200);
  const metrics = await get(`${base}/metrics`, authorization);
  expect(metrics.status).toBe(200);
  expect(metrics.body).toContain("process_cpu_user_seconds_total");
}
