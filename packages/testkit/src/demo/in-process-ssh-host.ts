import { spawn, type ChildProcess } from "node:child_process";
import { timingSafeEqual } from "node:crypto";
import { userInfo } from "node:os";
import type { AuthContext, Connection, ParsedKey, ServerChannel } from "ssh2";
import ssh2 from "ssh2";

const { Server, utils } = ssh2;

export interface InProcessSshHostOptions {
  /** The loopback address it listens on (127.x.y.z); the port is chosen by the system. */
  address: string;
  /** Host private key, OpenSSH format. */
  hostKey: string;
  /** The only user that may log in. */
  user: string;
  /** The public key (`ssh-ed25519 AAAA…`) that may log in, or null to refuse every key. */
  authorizedKey: string | null;
}

export interface InProcessSshHost {
  address: string;
  port: number;
  close(): Promise<void>;
}

const sameBytes = (a: Buffer, b: Buffer) => a.length === b.length && timingSafeEqual(a, b);

function parsePublicKey(line: string): ParsedKey {
  const parsed = utils.parseKey(line);
  if (parsed instanceof Error) throw new Error(`bug: cannot parse a key the demo made: ${parsed.message}`);
  return Array.isArray(parsed) ? parsed[0]! : parsed;
}

/** Public-key login as sshd does it: the right user, the authorized key, a valid signature. */
function authenticate(ctx: AuthContext, user: string, authorized: ParsedKey | null): void {
  if (ctx.method !== "publickey" || ctx.username !== user || !authorized) return ctx.reject(["publickey"]);
  if (ctx.key.algo !== authorized.type || !sameBytes(ctx.key.data, authorized.getPublicSSH())) return ctx.reject(["publickey"]);
  // Without a signature the client only asks whether this key would do.
  if (ctx.signature && ctx.blob && authorized.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true) return ctx.reject(["publickey"]);
  ctx.accept();
}

/** What sshd gives a session: a plain PATH and who the user is, nothing of the demo's own environment. */
function sessionEnvironment(user: string): NodeJS.ProcessEnv {
  const home = userInfo().homedir;
  return { PATH: "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin", USER: user, LOGNAME: user, HOME: home, SHELL: "/bin/sh" };
}

/** Runs an exec request as sshd would: the command under `sh -c`, stdin, stdout, stderr and the exit status over the channel. */
function runCommand(command: string, channel: ServerChannel, user: string): ChildProcess {
  const child = spawn("/bin/sh", ["-c", command], { cwd: "/", env: sessionEnvironment(user), stdio: ["pipe", "pipe", "pipe"] });
  channel.pipe(child.stdin).on("error", () => {});
  child.stdout.pipe(channel, { end: false });
  child.stderr.pipe(channel.stderr, { end: false });
  // The client gave up (probe deadline) or asked for a signal: the command must not outlive it.
  channel.on("close", () => child.kill("SIGKILL"));
  child.on("error", (error) => {
    channel.stderr.write(`sh: ${error.message}\n`);
    channel.exit(127);
    channel.end();
  });
  child.on("close", (code, signal) => {
    if (signal) channel.exit(signal.replace(/^SIG/, ""), false, "");
    else channel.exit(code ?? 1);
    channel.end();
  });
  return child;
}

function serve(client: Connection, options: InProcessSshHostOptions, authorized: ParsedKey | null): void {
  client.on("error", () => {});
  client.on("authentication", (ctx) => authenticate(ctx, options.user, authorized));
  client.on("ready", () => {
    client.on("session", (acceptSession) => {
      const session = acceptSession();
      let command: ChildProcess | undefined;
      session.on("exec", (accept, _reject, info) => (command = runCommand(info.command, accept(), options.user)));
      // The probe's deadline sends KILL: pass it on, as sshd does.
      session.on("signal", (accept, _reject, info) => {
        accept?.();
        command?.kill(`SIG${info.name}` as NodeJS.Signals);
      });
    });
  });
}

/**
 * An SSH server in this process (ssh2's Server), for when OpenSSH's sshd cannot be used: it
 * logs in the one authorized key and runs what it is asked to with this machine's `/bin/sh`,
 * so fleetwatch's real probe (`sh -s`, the script on stdin) reads this machine's /proc.
 */
export async function startInProcessSshHost(options: InProcessSshHostOptions): Promise<InProcessSshHost> {
  const authorized = options.authorizedKey ? parsePublicKey(options.authorizedKey) : null;
  const server = new Server({ hostKeys: [options.hostKey] }, (client) => serve(client, options, authorized));
  const clients = new Set<Connection>();
  server.on("connection", (client: Connection) => {
    clients.add(client);
    client.on("close", () => clients.delete(client));
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, options.address, () => resolve());
  });
  const port = (server.address() as { port: number }).port;
  return {
    address: options.address,
    port,
    close: () =>
      new Promise<void>((resolve) => {
        for (const client of clients) client.end();
        server.close(() => resolve());
      }),
  };
}
