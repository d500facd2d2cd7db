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
  sql.exec(foldStatement(by.length, fields.length), from, last, ...by, ...fields);
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
 * The fold of `foldGroups` for `byCount` grouped and `fieldCount` numeric
 * fields (their names bound after `from` and `last`): each event's values are
 * read once, into a materialized table, and each (grouped field, numeric field
 * or the events) pair is one `group by` over it. Reading every value once per
 * event rather than once per pair made the fold 2.5× faster
 * (`npm run bench:fold`).
 */
export function foldStatement(byCount: number, fieldCount: number): string {
  const byParam = (i: number) => `?${3 + i}`;
  const fieldParam = (j: number) => `?${3 + byCount + j}`;
  const columns = [
    ...Array.from(
      { length: byCount },
      (_, i) => `cast(json_extract(e.data, '$.' || ${byParam(i)}) as text) as g${i}`,
    ),
    ...Array.from(
      { length: fieldCount },
      (_, j) => `json_extract(e.data, '$.' || ${fieldParam(j)}) as v${j}`,
    ),
  ];
  const parts: string[] = [];
  for (let i = 0; i < byCount; i++) {
    const group = `${byParam(i)}, h, g${i} is null, coalesce(g${i}, '')`;
    const from = `from x where not exists (
      select 1 from rollup_overflow o where o.hour = x.h and o.by = ${byParam(i)}) group by h, g${i}`;
    parts.push(`select ${group}, '', count(*), count(*), count(*), 1, 1 ${from}`);
    for (let j = 0; j < fieldCount; j++)
      parts.push(
        `select ${group}, ${fieldParam(j)}, count(*), count(v${j}), sum(v${j}), min(v${j}), max(v${j}) ${from}`,
      );
  }
  return `with x as materialized (
      select e.time - e.time % ${HOUR_MS} as h, ${columns.join(", ")}
      from events e where e.seq > ?1 and e.seq <= ?2)
    insert into rollup_groups (by, hour, missing, grp, field, e, n, total, lo, hi)
    select * from (${unionAll(parts)}) where true
    on conflict (by, field, hour, missing, grp) do update set e = e + excluded.e, n = n + excluded.n,
      total = coalesce(total + excluded.total, total, excluded.total),
      lo = coalesce(min(lo, excluded.lo), lo, excluded.lo),
      hi = coalesce(max(hi, excluded.hi), hi, excluded.hi)`;
}

/** Terms a Durable Object's SQLite takes in one compound SELECT (plain SQLite takes 500). */
const COMPOUND_TERMS = 5;

/**
 * `union all` of the terms, nested so that no compound SELECT has more than
 * `COMPOUND_TERMS` of them: a business may fold 16 pairs, and with more than
 * 5 the whole rollup job failed and retried for ever (nothing was pruned).
 */
export function unionAll(terms: string[]): string {
  if (terms.length <= COMPOUND_TERMS) return terms.join(" union all ");
  const groups: string[] = [];
  for (let i = 0; i < terms.length; i += COMPOUND_TERMS)
    groups.push(`select * from (${terms.slice(i, i + COMPOUND_TERMS).join(" union all ")})`);
  return unionAll(groups);
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
