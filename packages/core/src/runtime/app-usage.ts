import { DEFAULT_HTTP_PORTS, type HttpAppName } from "../http/http-settings.js";

const WHAT: Record<string, string> = {
  "fleetwatch-scheduler": "enqueues one check per host per interval (one replica leads; others stand by)",
  "fleetwatch-worker": "runs the checks over SSH and publishes their results (scale out with more replicas)",
  "fleetwatch-notifier": "keeps alert state and sends DingTalk messages",
  "fleetwatch-pipeline": "runs the scheduler, a worker and the notifier together in the foreground",
};

/** `--help` of a pipeline app: what it does, how to start it, what it reads from the environment. */
export function appUsage(app: string): string {
  const port = (DEFAULT_HTTP_PORTS as Record<string, number>)[app as HttpAppName];
  const httpPort =
    port === undefined
      ? "  HTTP_PORT            off or 0 are passed on; otherwise each app takes its own default\n                       (scheduler 9401, worker 9402, notifier 9403)\n"
      : `  HTTP_PORT            port for /healthz, /readyz, /metrics (default ${port}; 0 = any free port; off)\n`;
  return `${app} — ${WHAT[app] ?? "a fleetwatch app"}

usage: ${app} --config FILE
       ${app} --version | --help

options:
  -c, --config FILE    the fleet file (fleet.yaml); reloaded on SIGHUP
  -V, --version        print the version and exit
  -h, --help           print this help and exit

environment:
  REDIS_URL            redis://[user:password@]host[:port][/db] or rediss://… (TLS);
                       several, comma-separated: a Redis Cluster's seed nodes (required)
  HTTP_HOST            address to serve HTTP on (default 127.0.0.1; off loopback needs a login)
${httpPort}  FLEETWATCH_HTTP_USER, FLEETWATCH_HTTP_PASSWORD
                       HTTP Basic login for everything but /healthz
  LOG_LEVEL            fatal, error, warn, info (default), debug, trace
  LOG_FORMAT           json or pretty (default: pretty on a terminal, else json)
${app === "fleetwatch-worker" ? "  WORKER_CONCURRENCY   checks at once (default worker.concurrency from the file, else 50)\n" : ""}
signals:
  SIGTERM, SIGINT      stop taking work, finish what is running, exit 0; a second one exits at once
  SIGHUP               reload the fleet file (a file with problems is refused; the old one keeps running)
`;
}
