import { localSlot } from "../business/engine/calendar";
import type { Activity } from "./schedule";
import { activityOf } from "./schedule";
import { Sample } from "./stats";
import type { Context } from "./types";
import { MIN_GAPS } from "./types";

/**
 * The history as streams: the field whose values arrive independently (a
 * flow, a device), each stream's gaps in active time, and streams grouped by
 * a similar rhythm.
 */

/** The most values one field may have to be profiled as streams. */
const MAX_GROUPS = 500;
/** Streams whose typical gaps are within this factor of each other share one rule. */
const SIMILAR = 2;
/**
 * Gaps one stream needs to join others of its rhythm: their pooled gaps (at
 * least MIN_GAPS) carry the window, so a fleet of devices reporting every six
 * hours is judged on all of them together.
 */
export const MIN_STREAM_GAPS = 5;

/** Gaps between consecutive events that lie wholly in active time. */
export function activeGaps(times: number[], a: Activity, zone: string): number[] {
  const limitedHours = a.hours[0] !== 0 || a.hours[1] !== 24;
  const gaps: number[] = [];
  for (let i = 1; i < times.length; i++) {
    const prev = times[i - 1] ?? 0;
    const next = times[i] ?? 0;
    const p = localSlot(prev, zone);
    const n = localSlot(next, zone);
    const active = (s: typeof p) =>
      a.days[s.day] === true && s.hour >= a.hours[0] && s.hour < a.hours[1];
    if (!active(p) || !active(n)) continue;
    if (limitedHours && p.date !== n.date) continue;
    // A gap across an inactive day is not a gap of the stream.
    let crosses = false;
    for (let d = p.date + 1; d < n.date; d++) if (!a.days[(((d + 3) % 7) + 7) % 7]) crosses = true;
    if (!crosses) gaps.push(next - prev);
  }
  return gaps;
}

/** The time of the history's newest event: days after it are unknown, not quiet. */
export const endOf = (ctx: Pick<Context, "history">) =>
  ctx.history.events.at(-1)?.time ?? ctx.history.to;

export function gapsOf(times: number[], zone: string, end: number): Sample {
  const activity = activityOf(times, zone, times[0] ?? end, end);
  return new Sample(activeGaps(times, activity, zone));
}

/** How irregular a stream's arrivals are: p90 over median of its gaps (1 is a metronome). */
function irregularity(gaps: Sample, least = MIN_GAPS): number {
  return gaps.size < least ? Number.POSITIVE_INFINITY : gaps.q(0.9) / Math.max(gaps.median, 1);
}

/** The times of events per value of a field, for string and enum fields with not too many values. */
export function groupsOf(
  ctx: Pick<Context, "history">,
  field: string,
): Map<string, number[]> | undefined {
  const groups = new Map<string, number[]>();
  for (const e of ctx.history.events) {
    const v = e.data[field];
    if (typeof v !== "string") continue;
    let times = groups.get(v);
    if (!times) {
      if (groups.size >= MAX_GROUPS) return undefined;
      times = [];
      groups.set(v, times);
    }
    times.push(e.time);
  }
  return groups.size >= 2 ? groups : undefined;
}

/**
 * The field whose values are independent streams (a flow, a device): the one
 * that makes arrivals most regular when split by it, if the streams are regular.
 */
export function chooseGroupField(ctx: Pick<Context, "business" | "history">): string | undefined {
  const zone = ctx.business.timezone;
  const end = endOf(ctx);
  const whole = irregularity(
    gapsOf(
      ctx.history.events.map((e) => e.time),
      zone,
      end,
    ),
  );
  let best: { field: string; score: number } | undefined;
  for (const f of ctx.business.fields) {
    if (f.type !== "string" && f.type !== "enum") continue;
    const groups = groupsOf(ctx, f.name);
    if (!groups) continue;
    const scores = [...groups.values()]
      .filter((times) => times.length > MIN_STREAM_GAPS)
      .map((times) => irregularity(gapsOf(times, zone, end), MIN_STREAM_GAPS))
      .filter(Number.isFinite)
      .sort((a, b) => a - b);
    if (scores.length < 2) continue;
    const score = scores[Math.floor(scores.length / 2)] ?? Number.POSITIVE_INFINITY;
    if (!best || score < best.score) best = { field: f.name, score };
  }
  // Split when the streams are regular on their own and no less regular than the whole:
  // then each can be watched for silence, which the whole would hide.
  if (best && best.score <= 4 && best.score <= 1.5 * whole) return best.field;
  return undefined;
}

export interface Stream {
  key: string;
  times: number[];
  /** Median gap of the stream on its own. */
  typical: number;
}

/** Streams in groups of similar rhythm (typical gaps within a factor of SIMILAR), fastest first. */
export function similarRhythms<T extends { typical: number }>(streams: T[]): T[][] {
  const sorted = [...streams].sort((a, b) => a.typical - b.typical);
  const out: T[][] = [];
  let current: T[] = [];
  for (const s of sorted) {
    const head = current[0];
    if (head && s.typical <= SIMILAR * Math.max(head.typical, 1000)) current.push(s);
    else {
      if (current.length) out.push(current);
      current = [s];
    }
  }
  if (current.length) out.push(current);
  return out;
}
