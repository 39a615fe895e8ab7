import { existsSync, mkdirSync, readFileSync, rmdirSync, writeFileSync } from "node:fs";
import { join } from "node:path";

const ROOT = "/sys/fs/cgroup/cpuacct";

/**
 * A cgroup v1 cpuacct group: every process put in it, and every process they start, has its
 * CPU time counted, to the nanosecond, including processes that have already exited. Needs
 * root and a cgroup v1 cpuacct hierarchy (this machine's), see docs/benchmarks.md.
 */
export class CpuacctGroup {
  private constructor(readonly path: string) {}

  static create(name: string): CpuacctGroup {
    if (!existsSync(join(ROOT, "cpuacct.usage"))) {
      throw new Error(`no cgroup v1 cpuacct hierarchy at ${ROOT}: the benchmark counts host-side CPU there (run as root on a cgroup v1 machine)`);
    }
    const path = join(ROOT, `${name}-${process.pid}`);
    mkdirSync(path);
    return new CpuacctGroup(path);
  }

  add(pid: number): void {
    writeFileSync(join(this.path, "cgroup.procs"), `${pid}\n`);
  }

  /** CPU time used by the group's processes since it was made, in milliseconds. */
  usageMs(): number {
    return Number(readFileSync(join(this.path, "cpuacct.usage"), "utf8").trim()) / 1e6;
  }

  /** Processes in the group now. */
  pids(): number[] {
    return readFileSync(join(this.path, "cgroup.procs"), "utf8").split("\n").filter(Boolean).map(Number);
  }

  /** Moves what is left to the root group and removes the group. */
  remove(): void {
    for (const pid of this.pids()) {
      try {
        writeFileSync(join(ROOT, "cgroup.procs"), `${pid}\n`);
      } catch {}
    }
    try {
      rmdirSync(this.path);
    } catch {}
  }
}
