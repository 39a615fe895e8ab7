export const USAGE = `fleetwatch — agentless monitoring of Linux servers over SSH

Usage:
  fleetwatch check -c FILE [--concurrency N] [--host PATTERN] [--json]
      Check every host once, print a table (or JSON) and exit with a Nagios code:
      0 ok, 1 warning, 2 critical, 3 unknown (or a config that cannot be used).
      --concurrency N   checks in flight at once (default 50)
      --host PATTERN    only hosts whose name matches (web-*, db-?, a,b)
      --notify          send DingTalk messages for what changed since the last run
                        (for cron), keeping alert state in --state FILE
                        (default /var/lib/fleetwatch/check-state.json as root,
                        ~/.local/state/fleetwatch/check-state.json otherwise)
  fleetwatch config validate FILE
      Check a fleet file; list every problem with its path. Exit 0 valid, 1 not.
  fleetwatch status [--state STATE[,STATE]] [--group GROUP] [--host PATTERN] [--json]
      Every host the pipeline checks, worst first, with the dashboard's state (silenced, stale,
      unreachable, critical, warning, unknown, pending, ok) and the age of its latest result
      (REDIS_URL must be set). Exit code as a Nagios plugin over the hosts shown.
  fleetwatch silence add [--host PATTERN] [--check PATTERN] --for 2h --reason TEXT [--author NAME]
  fleetwatch silence add --pipeline NAME --for 2h --reason TEXT
      (a pipeline alert such as "stalled" is muted only by its exact name)
  fleetwatch silence list
  fleetwatch silence expire ID
      Mute matching alerts in the pipeline (REDIS_URL must be set). Patterns use * and ?.
  fleetwatch-pipeline --config FILE
      Start scheduler, worker and notifier in the foreground (REDIS_URL must be set).
  fleetwatch help

Docs: README.md and docs/configuration.md
`;
