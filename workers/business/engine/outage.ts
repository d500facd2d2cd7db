/**
 * What the object knows of ingest as a whole, for absence rules: when events
 * last arrived (any source, any key) and the gaps in between, so an outage of
 * ours or of the sources is not blamed on the keys (see docs/rules.md, outages).
 */

/** A pause in ingest at least this long is remembered as a gap. */
export const GAP_MS = 60_000;
/** Gaps older than this are forgotten (no absence window is longer). */
const GAP_MEMORY_MS = 30 * 86_400_000;

export function lastIngest(sql: SqlStorage): number | undefined {
  const row = sql
    .exec<{ value: string }>(`select value from meta where key = 'last_ingest'`)
    .toArray()[0];
  return row ? Number(row.value) : undefined;
}

/** The end of the latest ingest gap at least `windowMs` long, or 0. */
export function resumedAfter(sql: SqlStorage, windowMs: number): number {
  return (
    sql
      .exec<{ ended: number | null }>(
        `select max(ended) as ended from ingest_gaps where length >= ?`,
        windowMs,
      )
      .one().ended ?? 0
  );
}

/**
 * Records a batch's arrival after the one at `last` (the stored `lastIngest`,
 * which the engine keeps in memory); returns the pause before it (0 for the first batch).
 */
export function recordArrival(sql: SqlStorage, receivedAt: number, last: number | undefined) {
  sql.exec(
    `insert into meta (key, value) values ('last_ingest', ?)
     on conflict (key) do update set value = excluded.value`,
    String(receivedAt),
  );
  return last === undefined ? 0 : receivedAt - last;
}

/** Remembers a pause of at least `shortest` as a gap, forgetting old ones. */
export function recordGap(sql: SqlStorage, receivedAt: number, gap: number, shortest: number) {
  if (gap === 0 || gap < shortest) return;
  sql.exec(
    `insert into ingest_gaps (ended, length) values (?, ?) on conflict do nothing`,
    receivedAt,
    gap,
  );
  sql.exec(`delete from ingest_gaps where ended < ?`, receivedAt - GAP_MEMORY_MS);
}
