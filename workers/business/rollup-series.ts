import type { SeriesPoint } from "../../schema/contracts/events";
import { iso } from "../lib/time";
import type { SeriesPart, SeriesQuery } from "./events";
import { HOUR_MS, rolledSeq } from "./rollup";

/** Whether the hourly rollups can answer a series: whole-hour buckets (grouped or not). */
export function rollupAnswers(q: SeriesQuery): boolean {
  return q.bucketMs % HOUR_MS === 0;
}

/**
 * A series from the hourly rollups for the whole hours of the range they
 * cover (grouped ones when `groupBy`), plus the events themselves for the
 * rest: the partial hours at its edges, hours the rollups do not cover (a
 * field they do not keep, a grouped hour that overflowed or was folded before
 * its field was grouped) and events not rolled up yet. The same answer as over
 * the events, at the cost of at most one row per hour (and value), and
 * complete for covered hours whose events were pruned. An hour read from the
 * events that lost some to pruning makes the answer incomplete up to its end.
 */
export function rolledSeries(sql: SqlStorage, q: SeriesQuery): SeriesPart {
  const rolled = rolledSeq(sql);
  const firstWhole = Math.ceil(q.from / HOUR_MS) * HOUR_MS;
  const endWhole = Math.max(firstWhole, Math.floor(q.to / HOUR_MS) * HOUR_MS);
  const covered = coveredHours(sql, q, firstWhole, endWhole);
  const gaps = uncovered(q.from, q.to, covered);
  const field = q.field ?? "";
  const rolledPart = q.groupBy
    ? `select hour, case when missing then null else grp end as grp, n, total, lo, hi
       from rollup_groups where by = ?1 and field = ?2 and hour >= ?3 and hour < ?4
         and hour in (select value from json_each(?5))`
    : `select hour, null as grp, n, total, lo, hi
       from rollups where field = ?2 and hour >= ?3 and hour < ?4
         and hour in (select value from json_each(?5))`;
  const value = q.field ? "json_extract(data, '$.' || ?2)" : "1";
  const group = q.groupBy ? "cast(json_extract(data, '$.' || ?1) as text)" : "null";
  const only = q.groupBy && q.group != null ? "where grp = ?10" : "";
  // Numbered parameters: each query binds all of them, whichever its shape uses.
  const rows = sql
    .exec<{
      bucket: number;
      grp: string | null;
      n: number;
      total: number | null;
      lo: number | null;
      hi: number | null;
    }>(
      `select bucket, grp, sum(n) as n, sum(total) as total, min(lo) as lo, max(hi) as hi from (
         select hour - hour % ?6 as bucket, grp, n, total, lo, hi from (${rolledPart})
         union all
         select time - time % ?6, ${group}, ${value} is not null, ${value}, ${value}, ${value} from (
           select time, data from events where seq > ?7 and time >= ?8 and time < ?9
           union all
           select e.time, e.data from json_each(?11) j cross join events e
           where e.time >= j.value ->> '$[0]' and e.time < j.value ->> '$[1]' and e.seq <= ?7))
       ${only} group by bucket, grp order by bucket, grp`,
      q.groupBy,
      field,
      firstWhole,
      endWhole,
      JSON.stringify(covered),
      q.bucketMs,
      rolled,
      q.from,
      q.to,
      q.groupBy && q.group != null ? q.group : null,
      JSON.stringify(gaps),
    )
    .toArray();
  const items = rows.map((r) => {
    const point: SeriesPoint = { time: iso(r.bucket), value: finish(q.fn, r), count: r.n };
    if (q.groupBy) point.group = r.grp ?? "";
    return point;
  });
  const lossy = lossyHour(sql, gaps, rolled);
  return { items, incompleteBefore: lossy === null ? null : lossy + HOUR_MS };
}

/**
 * The whole hours in range the rollups answer. Ungrouped: those with a row
 * for the field (every hour with events has one per kept numeric field).
 * Grouped: those whose grouped rows hold every event the hour's rollup does
 * (not an overflowed hour, nor one folded before the field was grouped).
 */
function coveredHours(
  sql: SqlStorage,
  q: SeriesQuery,
  firstWhole: number,
  endWhole: number,
): number[] {
  const field = q.field ?? "";
  if (!q.groupBy)
    return sql
      .exec<{ hour: number }>(
        `select hour from rollups where field = ? and hour >= ? and hour < ? order by hour`,
        field,
        firstWhole,
        endWhole,
      )
      .toArray()
      .map((r) => r.hour);
  return sql
    .exec<{ hour: number }>(
      `select g.hour from (
         select hour, sum(e) as e from rollup_groups where by = ? and field = ? and hour >= ? and hour < ?
         group by hour) g
       join rollups r on r.hour = g.hour and r.field = '' where g.e = r.n order by g.hour`,
      q.groupBy,
      field,
      firstWhole,
      endWhole,
    )
    .toArray()
    .map((r) => r.hour);
}

/** The parts of [from, to) outside the covered hours, as [start, end) pairs. */
function uncovered(from: number, to: number, covered: number[]): [number, number][] {
  const gaps: [number, number][] = [];
  let at = from;
  for (const hour of covered) {
    if (hour > at) gaps.push([at, hour]);
    at = hour + HOUR_MS;
  }
  if (at < to) gaps.push([at, to]);
  return gaps;
}

/**
 * The newest hour touched by a gap whose rollup counts more events than the
 * object still holds for it (up to the rolled cursor): pruning took some, so
 * an answer read from the events misses them. Null when none did.
 */
function lossyHour(sql: SqlStorage, gaps: [number, number][], rolled: number): number | null {
  if (gaps.length === 0) return null;
  return sql
    .exec<{ hour: number | null }>(
      `select max(r.hour) as hour from json_each(?1) j cross join rollups r
       where r.hour >= (j.value ->> '$[0]') - (j.value ->> '$[0]') % ?2 and r.hour < j.value ->> '$[1]'
         and r.field = ''
         and r.n > (select count(*) from events where time >= r.hour and time < r.hour + ?2 and seq <= ?3)`,
      JSON.stringify(gaps),
      HOUR_MS,
      rolled,
    )
    .one().hour;
}

interface Acc {
  n: number;
  total: number | null;
  lo: number | null;
  hi: number | null;
}

function finish(fn: SeriesQuery["fn"], a: Acc): number | null {
  switch (fn) {
    case "count":
      return a.n;
    case "sum":
      return a.total;
    case "avg":
      return a.total === null || a.n === 0 ? null : a.total / a.n;
    case "min":
      return a.lo;
    case "max":
      return a.hi;
  }
}
