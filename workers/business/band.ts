import type { Business } from "../../schema/contracts/businesses";
import type { EventValue } from "../../schema/contracts/events";
import type { AnomalyBandPoint, Rule } from "../../schema/contracts/rules";
import { iso } from "../lib/time";
import { observe } from "./engine/anomaly";
import { compileRule } from "./engine/compile";
import { type DetectorState, newDetectorState } from "./engine/detector-state";
import { mergeByTime } from "./shards/streams";

/** A band reads at most this many events (the newest of the range and its lead-in). */
export const BAND_MAX_EVENTS = 200_000;
/** Events before the range that teach the detector first (its level forgets over about two days). */
export const BAND_LEAD_IN_MS = 7 * 86_400_000;

export interface BandQuery {
  from: number;
  to: number;
  bucketMs: number;
  /** Only this group's series (a value of the rule's groupBy). */
  group?: string | undefined;
}

interface Sum {
  time: number;
  group: string;
  n: number;
  expected: number;
  low: number;
  high: number;
}

/**
 * An anomaly rule's expected value and band of normal values over a range, per
 * bucket and group: the live detector's own code runs over the stored events
 * in the order they were sent (starting a week before the range, so it has
 * learnt the series by then), and each bucket holds the mean of what it
 * expected for the points in it. Points of the warm-up give no band. Nothing
 * is stored; live state is not touched.
 */
export function anomalyBand(
  sql: SqlStorage,
  business: Business,
  rule: Rule,
  q: BandQuery,
): { items: AnomalyBandPoint[]; truncated: boolean } {
  if (rule.kind !== "anomaly") return { items: [], truncated: false };
  return bandOver(business, rule, bandEvents(sql, q));
}

/** One event a band reads: its time and data, as stored. */
export interface BandEvent {
  time: number;
  data: string;
}

/** The events a band reads, in the order they were sent: the newest `limit` of the range and its lead-in. */
export function bandEvents(
  sql: SqlStorage,
  q: BandQuery,
  limit = BAND_MAX_EVENTS,
): { rows: BandEvent[]; truncated: boolean; q: BandQuery } {
  const rows = sql
    .exec<{ time: number; data: string }>(
      `select time, data from events where time >= ? and time < ? order by seq desc limit ?`,
      q.from - BAND_LEAD_IN_MS,
      q.to,
      limit + 1,
    )
    .toArray();
  const truncated = rows.length > limit;
  if (truncated) rows.pop();
  rows.reverse();
  return { rows, truncated, q };
}

/**
 * The shards' band events as one stream: each shard's keep their order, and
 * the streams interleave by event time.
 */
export function mergeBandEvents(parts: { rows: BandEvent[]; truncated: boolean; q: BandQuery }[]) {
  const [first] = parts;
  if (!first) throw new Error("no parts to merge");
  return {
    rows: mergeByTime(parts.map((p) => p.rows)),
    truncated: parts.some((p) => p.truncated),
    q: first.q,
  };
}

/** The band over events read by `bandEvents` (of one object, or merged across shards). */
export function bandOver(
  business: Business,
  rule: Rule,
  read: { rows: BandEvent[]; truncated: boolean; q: BandQuery },
): { items: AnomalyBandPoint[]; truncated: boolean } {
  const compiled = compileRule(rule, business);
  if (compiled.kind !== "anomaly") return { items: [], truncated: false };
  const { rows, truncated, q } = read;
  const detectors = new Map<string, DetectorState>();
  const buckets = new Map<string, Sum>();
  for (const row of rows) {
    const data = JSON.parse(row.data) as Record<string, EventValue>;
    if (compiled.where && !compiled.where(data)) continue;
    const value = data[compiled.field];
    if (typeof value !== "number") continue;
    const group = compiled.groupKey(data);
    if (q.group !== undefined && group !== q.group) continue;
    let state = detectors.get(group);
    if (!state) {
      state = newDetectorState();
      detectors.set(group, state);
    }
    const v = observe(state, value, row.time, business.timezone, compiled.settings);
    if (v.warmingUp || row.time < q.from) continue;
    const time = row.time - (row.time % q.bucketMs);
    const key = `${time}\n${group}`;
    const sum = buckets.get(key) ?? { time, group, n: 0, expected: 0, low: 0, high: 0 };
    sum.n += 1;
    sum.expected += v.expected;
    sum.low += v.low;
    sum.high += v.high;
    buckets.set(key, sum);
  }
  const items = [...buckets.values()]
    .sort((a, b) => a.time - b.time || (a.group < b.group ? -1 : a.group > b.group ? 1 : 0))
    .map((s) => ({
      time: iso(s.time),
      ...(rule.groupBy ? { group: s.group } : {}),
      expected: s.expected / s.n,
      low: s.low / s.n,
      high: s.high / s.n,
    }));
  return { items, truncated };
}
