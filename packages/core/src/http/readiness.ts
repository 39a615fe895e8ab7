/** One thing an app needs before it can do its work, e.g. Redis reachable, config loaded. */
export interface ReadinessCheck {
  /** Short name shown in /readyz, e.g. "redis". */
  name: string;
  /** Resolves to undefined when fine, or to a sentence saying what is wrong and how to fix it. */
  check(): Promise<string | undefined> | string | undefined;
}

export interface ReadinessReport {
  ready: boolean;
  checks: { name: string; ok: boolean; problem?: string }[];
}

/** Runs every check at once, each bounded by `timeoutMs` (a hung check counts as not ready). */
export async function runReadiness(checks: readonly ReadinessCheck[], timeoutMs = 2_000): Promise<ReadinessReport> {
  const results = await Promise.all(
    checks.map(async ({ name, check }) => {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<string>((resolve) => {
        timer = setTimeout(() => resolve(`no answer within ${timeoutMs} ms`), timeoutMs);
      });
      try {
        const problem = await Promise.race([Promise.resolve().then(() => check()), timeout]);
        return problem === undefined ? { name, ok: true } : { name, ok: false, problem };
      } catch (error) {
        return { name, ok: false, problem: `check failed: ${(error as Error).message}` };
      } finally {
        clearTimeout(timer);
      }
    }),
  );
  return { ready: results.every((r) => r.ok), checks: results };
}
