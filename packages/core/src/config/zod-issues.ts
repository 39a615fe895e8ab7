import type { z } from "zod";
import type { ConfigIssue } from "./config-issue.js";
import { formatPath, uniqueIssues } from "./config-issue.js";
import { unknownKeyMessage } from "./unknown-key-hint.js";

type Issue = z.core.$ZodIssue;

/**
 * Flattens zod issues into `path: message` lines. For a union (a threshold is a number or
 * `{ warning, critical }`), the branch that got furthest explains the problem best.
 */
function flatten(issue: Issue, base: PropertyKey[]): ConfigIssue[] {
  const path = [...base, ...issue.path];
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    const deepest = issue.errors
      .map((branch) => ({ branch, depth: Math.max(0, ...branch.map((i) => i.path.length)) }))
      .sort((a, b) => b.depth - a.depth)[0]!;
    if (deepest.depth > 0) return deepest.branch.flatMap((inner) => flatten(inner, path));
  }
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({ path: formatPath([...path, key]), message: unknownKeyMessage(path, key) }));
  }
  if (issue.code === "invalid_key" && issue.issues.length > 0) {
    return [{ path: formatPath(path), message: issue.issues[0]!.message }];
  }
  if (issue.code === "invalid_type" && issue.input === undefined) {
    return [{ path: formatPath(path), message: "required" }];
  }
  return [{ path: formatPath(path), message: issue.message }];
}

export function zodIssuesToConfigIssues(issues: readonly Issue[]): ConfigIssue[] {
  return uniqueIssues(issues.flatMap((issue) => flatten(issue, [])));
}
