import fc from "fast-check";

/**
 * Property tests run with a fixed seed, so CI and a laptop test the same inputs and a
 * failure replays; `FC_SEED=<n>` explores others (`FC_RUNS` more of them).
 */
export const PROPERTY_SEED = Number(process.env.FC_SEED ?? 20261129);
const RUNS = process.env.FC_RUNS === undefined ? undefined : Number(process.env.FC_RUNS);

/** fast-check options for one property: the run's seed, and `numRuns` unless FC_RUNS says otherwise. */
export function propertyOptions(numRuns = 100): fc.Parameters<unknown> {
  return { seed: PROPERTY_SEED, numRuns: RUNS ?? numRuns };
}

/** `fc.assert` that names the seed to replay a failure with. */
export function assertProperty<Ts>(property: fc.IProperty<Ts>, numRuns?: number): void {
  try {
    fc.assert(property, propertyOptions(numRuns) as fc.Parameters<Ts>);
  } catch (error) {
    if (error instanceof Error) error.message = `${error.message}\n\nproperty seed ${PROPERTY_SEED}: replay with FC_SEED=${PROPERTY_SEED} (the path above narrows it to the failing case)`;
    throw error;
  }
}
