import { localDate, periodOf } from "./calendar";
import type { Window } from "./compile";
import type { Acc } from "./state";
import { humanDuration } from "./summary";

const empty = (): Acc => ({ n: 0, sum: 0, min: null, max: null });

/** The bucket a time falls in: a slice of a sliding window, or the calendar period. */
export function bucketOf(w: Window, time: number, timeZone: string): number {
  return w.kind === "sliding"
    ? time - (time % w.bucketMs)
    : periodOf(time, w.period, timeZone).start;
}

/** Adds a value to its bucket; returns the bucket. Buckets no window can look at any more go. */
export function addToBuckets(
  map: Map<number, Acc>,
  w: Window,
  time: number,
  value: number,
  timeZone: string,
): number {
  const bucket = bucketOf(w, time, timeZone);
  const acc = map.get(bucket) ?? empty();
  acc.n += 1;
  acc.sum += value;
  acc.min = acc.min === null ? value : Math.min(acc.min, value);
  acc.max = acc.max === null ? value : Math.max(acc.max, value);
  map.set(bucket, acc);
  // Keep memory bounded: buckets that left every window this rule can look at go.
  if (w.kind === "sliding" && map.size > 2 * (Math.ceil(w.ms / w.bucketMs) + 1)) {
    const oldest = time - 2 * w.ms;
    for (const b of map.keys()) if (b < oldest) map.delete(b);
  }
  return bucket;
}

/** The sum of the buckets in the window that holds `time`. */
export function windowValue(map: Map<number, Acc>, w: Window, time: number, timeZone: string): Acc {
  if (w.kind === "calendar") return map.get(bucketOf(w, time, timeZone)) ?? empty();
  const from = time - w.ms;
  const total = empty();
  for (const [bucket, acc] of map) {
    if (bucket + w.bucketMs <= from || bucket > time) continue;
    total.n += acc.n;
    total.sum += acc.sum;
    if (acc.min !== null) total.min = total.min === null ? acc.min : Math.min(total.min, acc.min);
    if (acc.max !== null) total.max = total.max === null ? acc.max : Math.max(total.max, acc.max);
  }
  return total;
}

/** When the window holding `time` next changes: its oldest bucket leaves, or its period ends. */
export function nextChange(map: Map<number, Acc>, w: Window, time: number, timeZone: string) {
  if (w.kind === "calendar") return periodOf(time, w.period, timeZone).end;
  let oldest = Number.POSITIVE_INFINITY;
  for (const b of map.keys()) if (b + w.bucketMs > time - w.ms && b < oldest) oldest = b;
  return (Number.isFinite(oldest) ? oldest : time) + w.bucketMs + w.ms;
}

/** `over 1 h`, `today`, `this week`, `on 2026-11-24`: the window as a summary says it. */
export function describeWindow(w: Window, time: number, now: number, timeZone: string): string {
  if (w.kind === "sliding") return `over ${humanDuration(w.ms)}`;
  const current = periodOf(now, w.period, timeZone);
  if (time >= current.start && time < current.end)
    return w.period === "day" ? "today" : `this ${w.period}`;
  const start = periodOf(time, w.period, timeZone).start;
  return `${w.period === "day" ? "on" : `in the ${w.period} of`} ${localDate(start, timeZone)}`;
}
