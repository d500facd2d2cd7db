/**
 * The event streams of a sharded business's shards as one: each shard's
 * events keep their order (the order they were sent there), and the streams
 * interleave by event time, the earliest head first (ties: the lower shard).
 * Across shards the order of sending is not known; within one it is.
 */
export function mergeByTime<T extends { time: number }>(streams: T[][]): T[] {
  const out: T[] = [];
  const at = streams.map(() => 0);
  for (;;) {
    let pick = -1;
    let best = Number.POSITIVE_INFINITY;
    for (const [i, s] of streams.entries()) {
      const e = s[at[i] ?? 0];
      if (e && e.time < best) {
        pick = i;
        best = e.time;
      }
    }
    const e = streams[pick]?.[at[pick] ?? 0];
    if (!e) return out;
    out.push(e);
    at[pick] = (at[pick] ?? 0) + 1;
  }
}
