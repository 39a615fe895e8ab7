export interface DemoOptions {
  /** Leave everything running after the story, until Ctrl-C. */
  keep: boolean;
  /** The short form for CI: fewer hosts, a faster pace. */
  short: boolean;
  /** Serve the hosts from SSH servers inside the demo even when sshd could be used. */
  inProcessSsh: boolean;
  /** After the story, save a picture of the dashboard here (headless Chromium). */
  screenshot?: string;
}

export const DEMO_USAGE = `npm run demo [-- OPTIONS]

Starts a private Redis, a dozen loopback SSH hosts (some broken), a DingTalk stand-in, the
fleetwatch pipeline and its dashboard, tells a short story on a timeline, then stops and
removes everything.

  --keep            leave it all running after the story (dashboard, Bull Board, CLI), until Ctrl-C
  --in-process-ssh  serve the hosts from SSH servers inside the demo even if sshd is usable
                    (also FLEETWATCH_DEMO_SSH=in-process)
  --short           the short form CI runs: fewer hosts, a faster pace
  --screenshot FILE after the story, save the dashboard's fleet page as a PNG
                    (headless Chromium at /usr/bin/chromium)
  --help            this text
`;

export type ParsedDemoOptions = { ok: true; options: DemoOptions } | { ok: false; error?: string };

export function parseDemoOptions(argv: readonly string[], env: NodeJS.ProcessEnv): ParsedDemoOptions {
  const options: DemoOptions = { keep: false, short: false, inProcessSsh: env.FLEETWATCH_DEMO_SSH === "in-process" };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === "--keep") options.keep = true;
    else if (arg === "--screenshot") {
      const file = argv[++i];
      if (!file) return { ok: false, error: "--screenshot needs a file name" };
      options.screenshot = file;
    }
    else if (arg === "--short") options.short = true;
    else if (arg === "--in-process-ssh") options.inProcessSsh = true;
    else if (arg === "--help" || arg === "-h") return { ok: false };
    else return { ok: false, error: `unknown option ${arg}` };
  }
  return { ok: true, options };
}
