/**
 * Which live worker should hold each shard, given who holds what now. Every worker computes
 * it from the same snapshot (live workers, current holders) and acts only on its own part:
 * it takes free shards given to it and gives up shards given to another.
 *
 * - Balanced: each worker gets ⌊S/N⌋ or ⌈S/N⌉ shards.
 * - Sticky: a live holder keeps its shards up to its share, so a join or a leave moves only
 *   the shards that must move (and their hosts log in once on their new worker).
 * - Deterministic: ties go by the number of shards held now, then by worker id.
 * A shard held by a worker not in `workers` (dead, or left) is free.
 */
export function assignShards(shardCount: number, workers: readonly string[], holders: readonly (string | undefined)[]): (string | undefined)[] {
  const live = [...new Set(workers)].sort();
  if (live.length === 0) return new Array<string | undefined>(shardCount).fill(undefined);
  const held = new Map(live.map((w) => [w, 0]));
  for (let shard = 0; shard < shardCount; shard++) {
    const holder = holders[shard];
    if (holder !== undefined && held.has(holder)) held.set(holder, held.get(holder)! + 1);
  }
  // The larger shares go to those holding most now (fewest moves), then by id.
  const byHolding = [...live].sort((a, b) => held.get(b)! - held.get(a)! || (a < b ? -1 : 1));
  const base = Math.floor(shardCount / live.length);
  const extra = shardCount % live.length;
  const quota = new Map(byHolding.map((w, i) => [w, base + (i < extra ? 1 : 0)]));
  const given = new Map(live.map((w) => [w, 0]));
  const owners = new Array<string | undefined>(shardCount).fill(undefined);
  for (let shard = 0; shard < shardCount; shard++) {
    const holder = holders[shard];
    if (holder === undefined || !given.has(holder) || given.get(holder)! >= quota.get(holder)!) continue;
    owners[shard] = holder;
    given.set(holder, given.get(holder)! + 1);
  }
  for (let shard = 0; shard < shardCount; shard++) {
    if (owners[shard] !== undefined) continue;
    let best: string | undefined;
    for (const w of live) {
      const room = quota.get(w)! - given.get(w)!;
      if (room > 0 && (best === undefined || room > quota.get(best)! - given.get(best)!)) best = w;
    }
    owners[shard] = best;
    given.set(best!, given.get(best!)! + 1);
  }
  return owners;
}
