/** One problem found in a config file, located by the path of the bad field. */
export interface ConfigIssue {
  /** `hosts[3].thresholds.disk.critical`; empty for the file as a whole. */
  path: string;
  message: string;
}

/** Joins a path the way people write it: `hosts[3].ssh.port`, `thresholds.mounts["/var"]`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = "";
  for (const part of path) {
    if (typeof part === "number") out += `[${part}]`;
    else if (typeof part === "string" && /^[A-Za-z_][\w-]*$/.test(part)) out += out ? `.${part}` : part;
    else out += `[${JSON.stringify(String(part))}]`;
  }
  return out;
}

export function formatIssues(file: string, issues: readonly ConfigIssue[]): string {
  const lines = issues.map((issue) => `  ${issue.path || "(file)"}: ${issue.message}`);
  const noun = issues.length === 1 ? "problem" : "problems";
  return `${file}: ${issues.length} ${noun}\n${lines.join("\n")}`;
}

/** Drops repeats of the same problem at the same path. */
export function uniqueIssues(issues: readonly ConfigIssue[]): ConfigIssue[] {
  const seen = new Set<string>();
  return issues.filter((issue) => {
    const key = `${issue.path}\u0000${issue.message}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
