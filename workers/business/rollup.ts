import type { Business } from "../../schema/contracts/businesses";
import { foldGroups } from "./rollup-groups";
import { getMeta, setMeta } from "./storage";

export const HOUR_MS = 3_600_000;
/** How long new events wait before they are rolled up (they gather meanwhile). */
export const ROLLUP_DELAY_MS = 30_000;
/** Events folded per run; a busier business runs again at once. */
export const ROLLUP_CHUNK = 20_000;
/** D1 keeps this much activity per business (plus its newest hour). */
export const ACTIVITY_KEEP_MS = 48 * HOUR_MS;
/** Hours copied to D1 per run: one row each in one statement. */
const PUSH_HOURS = 500;

/** The last event position folded into the hourly rollups. */
export function rolledSeq(sql: SqlStorage): number {
  return Number(getMeta(sql, "rollup_seq") ?? 0);
}

/** Fields a rollup keeps count, sum, min and max of: numbers, integers and booleans (1/0). */
export function rolledFields(business: Pick<Business, "fields">): string[] {
  return business.fields
    .filter((f) => f.type === "number" || f.type === "integer" || f.type === "boolean")
    .map((f) => f.name);
}

/**
 * Folds the events after the cursor (at most `ROLLUP_CHUNK`) into the hourly
 * rows, and per value of each field of `by` into the grouped ones
 * (rollup-groups.ts), in one transaction with the cursor, and marks their
 * hours for D1. Returns whether more events wait.
 */
export function rollUp(
  storage: DurableObjectStorage,
  fields: string[],
  chunk = ROLLUP_CHUNK,
  by: string[] = [],
): boolean {
  const sql = storage.sql;
  const from = rolledSeq(sql);
  const { last } = sql
    .exec<{ last: number | null }>(
      `select max(seq) as last from (select seq from events where seq > ? order by seq limit ?)`,
      from,
      chunk,
    )
    .one();
  if (last === null) return false;
  storage.transactionSync(() => {
    sql.exec(
      `insert into rollups (hour, field, n, total, lo, hi)
       select time - time % ${HOUR_MS} as h, '', count(*), null, min(time), max(time)
       from events where seq > ? and seq <= ? group by h
       on conflict (hour, field) do update set n = n + excluded.n,
         lo = min(lo, excluded.lo), hi = max(hi, excluded.hi)`,
      from,
      last,
    );
    if (fields.length > 0) {
      sql.exec(
        `insert into rollups (hour, field, n, total, lo, hi)
         select h, name, count(v), sum(v), min(v), max(v) from (
           select e.time - e.time % ${HOUR_MS} as h, f.value as name,
             json_extract(e.data, '$.' || f.value) as v
           from events e, json_each(?) f where e.seq > ? and e.seq <= ?)
         where true group by h, name
         on conflict (hour, field) do update set n = n + excluded.n,
           total = coalesce(total + excluded.total, total, excluded.total),
           lo = coalesce(min(lo, excluded.lo), lo, excluded.lo),
           hi = coalesce(max(hi, excluded.hi), hi, excluded.hi)`,
        JSON.stringify(fields),
        from,
        last,
      );
    }
    foldGroups(sql, by, fields, from, last);
    sql.exec(
      `insert into rollup_dirty (hour) select distinct time - time % ${HOUR_MS} from events
       where seq > ? and seq <= ? on conflict do nothing`,
      from,
      last,
    );
    setMeta(sql, "rollup_seq", String(last));
  });
  return (
    sql
      .exec<{ more: number }>(`select exists (select 1 from events where seq > ?) as more`, last)
      .one().more === 1
  );
}

/**
 * Copies the changed hours' totals (absolute, so a retry does no harm) to D1's
 * `activity_hours` under this object's shard (each shard of a sharded business
 * has its own rows), and drops its hours there older than two days except its
 * newest. Returns whether more changed hours wait.
 */
export async function pushActivity(
  sql: SqlStorage,
  d1: D1Database,
  businessId: string,
  now: number,
  shard = 0,
): Promise<boolean> {
  const rows = sql
    .exec<{ hour: number; n: number; hi: number }>(
      `select r.hour, r.n, r.hi from rollup_dirty d join rollups r on r.hour = d.hour and r.field = ''
       order by d.hour desc limit ?`,
      PUSH_HOURS,
    )
    .toArray();
  if (rows.length === 0) {
    sql.exec(`delete from rollup_dirty`);
    return false;
  }
  const keepFrom = now - ACTIVITY_KEEP_MS;
  const recent = rows.filter((r) => r.hour >= keepFrom || r === rows[0]);
  await d1.batch([
    d1
      .prepare(
        `insert into activity_hours (business_id, hour, shard, events, last_at)
         select ?1, json_extract(value, '$[0]'), ?3, json_extract(value, '$[1]'), json_extract(value, '$[2]')
         from json_each(?2) where true
         on conflict (business_id, hour, shard) do update set events = excluded.events, last_at = excluded.last_at`,
      )
      .bind(businessId, JSON.stringify(recent.map((r) => [r.hour, r.n, r.hi])), shard),
    d1
      .prepare(
        `delete from activity_hours where business_id = ?1 and shard = ?3 and hour < ?2
         and hour < (select max(hour) from activity_hours where business_id = ?1 and shard = ?3)`,
      )
      .bind(businessId, keepFrom, shard),
  ]);
  sql.exec(
    `delete from rollup_dirty where hour in (select value from json_each(?))`,
    JSON.stringify(rows.map((r) => r.hour)),
  );
  return rows.length === PUSH_HOURS;
}
