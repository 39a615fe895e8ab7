import { existsSync } from "node:fs";

/** Where Debian's openssh-server puts sshd; it must be started by absolute path. */
export const SSHD_CANDIDATES = ["/usr/sbin/sshd", "/usr/local/sbin/sshd", "/sbin/sshd"];

export class MissingToolError extends Error {
  constructor(tool: string, hint: string) {
    super(`${tool} was not found. ${hint}`);
    this.name = "MissingToolError";
  }
}

export function findSshd(): string {
  const found = SSHD_CANDIDATES.find((path) => existsSync(path));
  if (!found) throw new MissingToolError("sshd", "Install it with: apt-get install -y openssh-server (Debian/Ubuntu) or dnf install openssh-server.");
  return found;
}

export function findTool(name: string, packageName: string): string {
  for (const dir of (process.env.PATH ?? "/usr/bin:/bin").split(":")) {
    const path = `${dir}/${name}`;
    if (existsSync(path)) return path;
  }
  throw new MissingToolError(name, `Install it with: apt-get install -y ${packageName}`);
}
