/**
 * The event streams of a sharded business's shards as one: each shard's
 * events keep their order (the order they were sent there), and the streams
 * interleave by event time, the earliest head first (ties: the lower shard).
 * Across shards the order of sending is not known; within one it is.
 */
export function mergeByTime<T extends { time: number }>(streams: T[][]): T[] {
  return mergePages(streams, []).merged;
}

/**
 * One page of each stream merged as far as the pages tell: `more[i]` says
 * stream i goes on after its page, and its next page may hold events earlier
 * than the other heads, so the merge stops where such a page runs out.
 * Returns the merged events and how many of each page they took.
 */
export function mergePages<T extends { time: number }>(
  pages: T[][],
  more: boolean[],
): { merged: T[]; taken: number[] } {
  const merged: T[] = [];
  const taken = pages.map(() => 0);
  for (;;) {
    let pick = -1;
    let best = Number.POSITIVE_INFINITY;
    for (const [i, page] of pages.entries()) {
      const e = page[taken[i] ?? 0];
      if (!e && more[i]) return { merged, taken };
      if (e && e.time < best) {
        pick = i;
        best = e.time;
      }
    }
    const e = pages[pick]?.[taken[pick] ?? 0];
    if (!e) return { merged, taken };
    merged.push(e);
    taken[pick] = (taken[pick] ?? 0) + 1;
  }
}
