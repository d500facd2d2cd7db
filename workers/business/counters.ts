import type { NewEvent } from "./events";

/**
 * A cumulative OpenTelemetry sum (or histogram count and sum): the business's
 * object remembers each series' last total and stores the change since it.
 */
export interface Counter {
  /** Position of the event in the batch's accepted events. */
  index: number;
  /** The series: metric, scope, resource and point attributes. */
  series: string;
  /** The series' start time (ms): a new start is a reset. */
  start: number;
  /** The event's fields that hold totals. */
  fields: string[];
}

/**
 * Turns totals into deltas, inside the ingest transaction. A series seen for
 * the first time (or restarted) counts from its start: its total is the delta.
 */
export function toDeltas(sql: SqlStorage, counters: Counter[], events: NewEvent[]) {
  for (const c of counters) {
    const event = events[c.index];
    if (!event) continue;
    const row = sql
      .exec<{ start: number; totals: string }>(
        `select start, totals from otlp_series where series = ?`,
        c.series,
      )
      .toArray()[0];
    const previous: Record<string, number> =
      row && row.start === c.start ? JSON.parse(row.totals) : {};
    const totals: Record<string, number> = {};
    for (const field of c.fields) {
      const total = event.data[field];
      if (typeof total !== "number") continue;
      totals[field] = total;
      const before = previous[field];
      // A total below the last one is a reset the start time did not show.
      event.data[field] = before !== undefined && total >= before ? total - before : total;
    }
    sql.exec(
      `insert into otlp_series (series, start, totals) values (?, ?, ?)
       on conflict (series) do update set start = excluded.start, totals = excluded.totals`,
      c.series,
      c.start,
      JSON.stringify(totals),
    );
  }
}
