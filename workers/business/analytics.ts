import type { Business } from "../../schema/contracts/businesses";
import type { EventValue } from "../../schema/contracts/events";
import { getMeta, setMeta } from "./storage";

/** Analytics Engine takes at most 250 data points per invocation. */
export const ANALYTICS_BATCH = 250;

/**
 * One data point per event, written from the alarm behind a cursor so a busy
 * business never exceeds the per-invocation limit:
 * - index1: the business id
 * - blob1..20: string and enum fields, in field order
 * - double1: event time (epoch ms); double2..20: number, integer and boolean
 *   (1/0) fields, in field order
 */
export function dataPoint(
  business: Business,
  time: number,
  data: Record<string, EventValue>,
): AnalyticsEngineDataPoint {
  const blobs: string[] = [];
  const doubles: number[] = [time];
  for (const f of business.fields) {
    const v = data[f.name];
    if ((f.type === "string" || f.type === "enum") && blobs.length < 20) {
      blobs.push(typeof v === "string" ? v : "");
    } else if (
      (f.type === "number" || f.type === "integer" || f.type === "boolean") &&
      doubles.length < 20
    ) {
      doubles.push(typeof v === "number" ? v : v === true ? 1 : 0);
    }
  }
  return { indexes: [business.id], blobs, doubles };
}

/** Writes the next batch of points; returns whether more are waiting. */
export function writeAnalytics(
  sql: SqlStorage,
  dataset: AnalyticsEngineDataset,
  business: Business,
): boolean {
  const from = Number(getMeta(sql, "analytics_seq") ?? 0);
  const rows = sql
    .exec<{ seq: number; time: number; data: string }>(
      `select seq, time, data from events where seq > ? order by seq limit ?`,
      from,
      ANALYTICS_BATCH + 1,
    )
    .toArray();
  const batch = rows.slice(0, ANALYTICS_BATCH);
  for (const r of batch) dataset.writeDataPoint(dataPoint(business, r.time, JSON.parse(r.data)));
  const last = batch.at(-1);
  if (last) setMeta(sql, "analytics_seq", String(last.seq));
  return rows.length > ANALYTICS_BATCH;
}
