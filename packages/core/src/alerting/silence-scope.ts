import type { Result } from "../util/result.js";
import { err, ok } from "../util/result.js";

/** A pattern that matches every name: `*`, `**`, or a list (`web-*,*`) holding one. */
export function matchesEveryName(pattern: string): boolean {
  return pattern
    .split(",")
    .map((p) => p.trim())
    .some((p) => p.length > 0 && /^\*+$/.test(p));
}

export interface SilenceScope {
  host: string;
  check: string;
  /** The operator said, explicitly, that muting every alert of every host is meant. */
  all: boolean;
}

/**
 * Refuses a silence that would mute every alert of the whole fleet unless `all` is set.
 * Shared by the CLI and the dashboard, so neither mutes the fleet by an empty form.
 */
export function checkSilenceScope(scope: SilenceScope): Result<void, string> {
  if (!scope.host.trim() || !scope.check.trim()) return err("a silence needs a host pattern and a check pattern");
  if (matchesEveryName(scope.host) && matchesEveryName(scope.check) && !scope.all) {
    return err("this silence matches every check of every host, muting the whole fleet; narrow it with --host and --check, or pass --all if that is what you mean");
  }
  return ok(undefined);
}
