import type { Business } from "../../schema/contracts/businesses";
import type { EventValue } from "../../schema/contracts/events";
import { getMeta, setMeta } from "./storage";

/**
 * Analytics Engine takes at most 16 kB of blobs per data point: each string is
 * cut to this many characters (20 blobs × 200 characters × at most 4 bytes).
 * Long texts such as a job's log stay whole in the events table.
 */
const MAX_BLOB_CHARS = 200;

/** Analytics Engine takes at most 250 data points per invocation. */
export const ANALYTICS_BATCH = 250;
/** The analytics job runs at most this often, however busy the business is. */
export const ANALYTICS_INTERVAL_MS = 1000;

/**
 * One data point per event, written from the alarm behind a cursor so a busy
 * business never exceeds the per-invocation limit:
 * - index1: the business id
 * - blob1..20: string and enum fields, in field order
 * - double1: event time (epoch ms)
 * - double2: weight, the number of events this point stands for (1 unless sampled)
 * - double3..20: number, integer and boolean (1/0) fields, in field order
 */
export function dataPoint(
  business: Business,
  time: number,
  weight: number,
  data: Record<string, EventValue>,
): AnalyticsEngineDataPoint {
  const blobs: string[] = [];
  const doubles: number[] = [time, weight];
  for (const f of business.fields) {
    const v = data[f.name];
    if ((f.type === "string" || f.type === "enum") && blobs.length < 20) {
      blobs.push(typeof v === "string" ? v.slice(0, MAX_BLOB_CHARS) : "");
    } else if (
      (f.type === "number" || f.type === "integer" || f.type === "boolean") &&
      doubles.length < 20
    ) {
      doubles.push(typeof v === "number" ? v : v === true ? 1 : 0);
    }
  }
  return { indexes: [business.id], blobs, doubles };
}

/**
 * Writes the events received since the last run. When more than one batch is
 * waiting, it samples them evenly and weights each point by what it stands for,
 * so sums over `double2` still count every event.
 */
export function writeAnalytics(
  sql: SqlStorage,
  dataset: AnalyticsEngineDataset,
  business: Business,
): void {
  const from = Number(getMeta(sql, "analytics_seq") ?? 0);
  const { last } = sql.exec<{ last: number | null }>(`select max(seq) as last from events`).one();
  if (last === null || last <= from) return;
  const waiting = last - from;
  const step = Math.ceil(waiting / ANALYTICS_BATCH);
  // The sampled positions are looked up by key (at most 250), not found by reading every row since `from`.
  const sampled: number[] = [];
  for (let seq = from + 1; seq <= last; seq += step) sampled.push(seq);
  const rows = sql
    .exec<{ seq: number; time: number; data: string }>(
      `select seq, time, data from events where seq in (select value from json_each(?)) order by seq`,
      JSON.stringify(sampled),
    )
    .toArray();
  for (const r of rows) {
    const weight = Math.min(step, last - r.seq + 1);
    dataset.writeDataPoint(dataPoint(business, r.time, weight, JSON.parse(r.data)));
  }
  setMeta(sql, "analytics_seq", String(last));
}
