import type { Business } from "../../schema/contracts/businesses";

const HOUR_MS = 3_600_000;
/** Values of one field kept per hour at most; an hour with more is marked overflowed and read from events. */
export const GROUP_VALUES_PER_HOUR = 1000;
/** Grouped rows per hour at most (values × fields grouped × (numeric fields + 1)): bounds storage. */
export const GROUP_ROWS_PER_HOUR = 8000;
/** (grouped field, numeric field or events) pairs folded at most: bounds the work per event. */
export const GROUP_PAIRS = 16;
/**
 * Grouped rollups are kept this long (the ungrouped ones for ever): a grouped
 * series over the last 90 days is whole, with a day to spare for its first hour.
 */
export const GROUPED_KEEP_MS = 91 * 24 * HOUR_MS;

/**
 * Fields a series may be grouped by from the rollups: strings, enums and
 * booleans, the first in the business's order as many as `GROUP_PAIRS` allows
 * with its numeric fields (`rolled`); a series by another is read from events.
 */
export function groupedFields(
  business: { fields: Pick<Business["fields"][number], "name" | "type">[] },
  rolled: string[],
): string[] {
  return business.fields
    .filter((f) => f.type === "string" || f.type === "enum" || f.type === "boolean")
    .map((f) => f.name)
    .slice(0, Math.floor(GROUP_PAIRS / (rolled.length + 1)));
}

/** Values kept per grouped field and hour for this shape, within `GROUP_ROWS_PER_HOUR`. */
export function valuesPerHour(by: number, rolled: number): number {
  return Math.min(GROUP_VALUES_PER_HOUR, Math.floor(GROUP_ROWS_PER_HOUR / (by * (rolled + 1))));
}

/**
 * Folds events `from < seq <= last` into the grouped hourly rows: per hour,
 * field of `by` and value (as the event path groups it: the value as text,
 * none when missing), the events and each of `fields`' count, sum, min and
 * max. An (hour, by) that passes `valuesPerHour` values is dropped
 * and marked, so it stays bounded and is read from the events from then on.
 * Runs inside the caller's transaction.
 */
export function foldGroups(
  sql: SqlStorage,
  by: string[],
  fields: string[],
  from: number,
  last: number,
  bound = valuesPerHour(by.length, fields.length),
): void {
  if (by.length === 0) return;
  sql.exec(
    `insert into rollup_groups (by, field, hour, missing, grp, e, n, total, lo, hi)
     select b, name, h, g is null, coalesce(g, ''), count(*), count(v), sum(v), min(v), max(v) from (
       select e.time - e.time % ${HOUR_MS} as h, b.value as b, f.value as name,
         cast(json_extract(e.data, '$.' || b.value) as text) as g,
         case when f.value = '' then 1 else json_extract(e.data, '$.' || f.value) end as v
       from events e, json_each(?) b, json_each(?) f
       where e.seq > ? and e.seq <= ? and not exists (
         select 1 from rollup_overflow o where o.hour = e.time - e.time % ${HOUR_MS} and o.by = b.value))
     where true group by b, name, h, g
     on conflict (by, field, hour, missing, grp) do update set e = e + excluded.e, n = n + excluded.n,
       total = coalesce(total + excluded.total, total, excluded.total),
       lo = coalesce(min(lo, excluded.lo), lo, excluded.lo),
       hi = coalesce(max(hi, excluded.hi), hi, excluded.hi)`,
    JSON.stringify(by),
    JSON.stringify(["", ...fields]),
    from,
    last,
  );
  const over = sql
    .exec<{ by: string; hour: number }>(
      `select g.by, g.hour from json_each(?) b
       join (select distinct time - time % ${HOUR_MS} as hour from events where seq > ? and seq <= ?) h
       join rollup_groups g on g.by = b.value and g.field = '' and g.hour = h.hour
       group by g.by, g.hour having count(*) > ?`,
      JSON.stringify(by),
      from,
      last,
      bound,
    )
    .toArray();
  for (const o of over) {
    sql.exec(
      `insert into rollup_overflow (hour, by) values (?, ?) on conflict do nothing`,
      o.hour,
      o.by,
    );
    // By primary key, field by field (a field no longer folded keeps its rows until they age out).
    sql.exec(
      `delete from rollup_groups where by = ?1 and field in (select value from json_each(?3)) and hour = ?2`,
      o.by,
      o.hour,
      JSON.stringify(["", ...fields]),
    );
  }
}

/**
 * Drops grouped rows and overflow marks older than `GROUPED_KEEP_MS`, for
 * every (by, field) held, found by seeking through the primary key pair by
 * pair, so fields since removed from the business go too.
 */
export function dropOldGroups(sql: SqlStorage, now: number): void {
  const before = now - GROUPED_KEEP_MS;
  type Pair = { by: string; field: string };
  const first = (query: string, ...args: string[]) => sql.exec<Pair>(query, ...args).toArray()[0];
  let pair = first(`select by, field from rollup_groups order by by, field limit 1`);
  while (pair) {
    sql.exec(
      `delete from rollup_groups where by = ? and field = ? and hour < ?`,
      pair.by,
      pair.field,
      before,
    );
    pair =
      first(
        `select by, field from rollup_groups where by = ? and field > ? order by field limit 1`,
        pair.by,
        pair.field,
      ) ??
      first(`select by, field from rollup_groups where by > ? order by by, field limit 1`, pair.by);
  }
  sql.exec(`delete from rollup_overflow where hour < ?`, before);
}
