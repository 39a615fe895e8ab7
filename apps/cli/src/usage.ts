export const USAGE = `fleetwatch — agentless monitoring of Linux servers over SSH

Usage:
  fleetwatch check -c FILE [--concurrency N] [--host PATTERN] [--json]
      Check every host once, print a table (or JSON) and exit with a Nagios code:
      0 ok, 1 warning, 2 critical, 3 unknown (or a config that cannot be used).
      --concurrency N   checks in flight at once (default 50)
      --host PATTERN    only hosts whose name matches (web-*, db-?, a,b)
  fleetwatch config validate FILE
      Check a fleet file; list every problem with its path. Exit 0 valid, 1 not.
  fleetwatch help

Docs: README.md and docs/configuration.md
`;
