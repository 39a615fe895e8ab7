/**
 * Runs `fn` over `items` with at most `concurrency` calls in flight, keeping input order
 * in the output. `onSettled` sees each result as it completes (for progress display). Once
 * `signal` is aborted no new call starts; the calls in flight finish, and the output holds
 * only the items that ran (still in input order).
 */
export async function boundedMap<T, R>(
  items: readonly T[],
  concurrency: number,
  fn: (item: T, index: number) => Promise<R>,
  onSettled?: (result: R, done: number) => void,
  signal?: AbortSignal,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  let done = 0;
  const lane = async (): Promise<void> => {
    while (next < items.length && !signal?.aborted) {
      const index = next++;
      const result = await fn(items[index] as T, index);
      results[index] = result;
      done += 1;
      onSettled?.(result, done);
    }
  };
  const lanes = Math.max(1, Math.min(concurrency, items.length));
  await Promise.all(Array.from({ length: lanes }, lane));
  return next < items.length ? results.filter((_, index) => index < next) : results;
}
