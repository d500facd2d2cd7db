import { archivedSeq } from "./archive";
import { rolledSeq } from "./rollup";
import { dropOldGroups } from "./rollup-groups";
import { getMeta, setMeta } from "./storage";

/** Rows deleted per alarm run, so pruning never holds the object for long. */
export const PRUNE_CHUNK = 5000;
export const PRUNE_INTERVAL_MS = 15 * 60_000;
/** The soonest pruning runs again when events arrive fast (see `nextPruneDelay`). */
export const PRUNE_MIN_INTERVAL_MS = 10_000;
/** How long an Idempotency-Key is remembered. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;
/** How long a coalesced request's id is remembered: longer than the ingest Queue keeps retrying a message. */
export const COALESCED_WINDOW_MS = 4 * 24 * 3_600_000;

export interface Retention {
  days: number;
  maxEvents: number;
}

/**
 * The newest event time among the events pruned so far (0 when none was):
 * a read of the held events alone may miss events up to this time.
 */
export function prunedUpTo(sql: SqlStorage): number {
  return Number(getMeta(sql, "pruned_time") ?? 0);
}

/**
 * Deletes events past the retention horizon or beyond the newest `maxEvents`,
 * but never one that is not archived and rolled up yet, and grouped rollups
 * past theirs (ungrouped ones stay). Returns whether more are due.
 */
export function pruneEvents(sql: SqlStorage, retention: Retention, now: number): boolean {
  const archived = Math.min(archivedSeq(sql), rolledSeq(sql)); // safe to delete up to here
  const cutoff = now - retention.days * 86_400_000;
  const deletedByAge = sql
    .exec<{ time: number }>(
      `delete from events where seq in (
       select seq from events where time < ? and seq <= ? limit ?) returning time`,
      cutoff,
      archived,
      PRUNE_CHUNK,
    )
    .toArray();
  const byAge = deletedByAge.length;
  let newest = deletedByAge.reduce((t, r) => Math.max(t, r.time), Number.NEGATIVE_INFINITY);
  const total = sql.exec<{ n: number }>(`select count(*) as n from events`).one().n;
  const excess = Math.min(total - retention.maxEvents, PRUNE_CHUNK);
  let byCount = 0;
  if (excess > 0) {
    const deleted = sql
      .exec<{ time: number }>(
        `delete from events where seq in (select seq from events where seq <= ? order by seq limit ?) returning time`,
        archived,
        excess,
      )
      .toArray();
    byCount = deleted.length;
    newest = deleted.reduce((t, r) => Math.max(t, r.time), newest);
  }
  if (Number.isFinite(newest) && newest > prunedUpTo(sql))
    setMeta(sql, "pruned_time", String(newest));
  sql.exec(`delete from idempotency where created < ?`, now - IDEMPOTENCY_WINDOW_MS);
  sql.exec(`delete from coalesced where at < ?`, now - COALESCED_WINDOW_MS);
  dropOldGroups(sql, now);
  return byAge === PRUNE_CHUNK || (excess === PRUNE_CHUNK && byCount === PRUNE_CHUNK);
}

/**
 * How long until pruning should run again: 15 minutes for a quiet business, but
 * sooner under load, so that events beyond `maxEvents` stay at about a tenth of
 * it (at most 10 s of events at any rate), and within 10 s while the object
 * still holds more than 1.1 × `maxEvents`. Measures the rate since its last run.
 */
export function nextPruneDelay(sql: SqlStorage, retention: Retention, now: number): number {
  const held = sql
    .exec<{ first: number | null; last: number | null }>(
      `select min(seq) as first, max(seq) as last from events`,
    )
    .one();
  const last = held.last ?? 0;
  const mark = getMeta(sql, "prune_mark");
  setMeta(sql, "prune_mark", JSON.stringify({ seq: last, at: now }));
  // Still far over `maxEvents` after this run (what it could not delete is not
  // archived or rolled up yet, e.g. right after one burst): again within seconds.
  if (held.first !== null && last - held.first + 1 > retention.maxEvents * 1.1)
    return PRUNE_MIN_INTERVAL_MS;
  if (!mark) return PRUNE_INTERVAL_MS;
  const before = JSON.parse(mark) as { seq: number; at: number };
  const perMs = (last - before.seq) / Math.max(1, now - before.at);
  if (perMs <= 0) return PRUNE_INTERVAL_MS;
  const delay = (0.1 * retention.maxEvents) / perMs;
  return Math.round(Math.min(PRUNE_INTERVAL_MS, Math.max(PRUNE_MIN_INTERVAL_MS, delay)));
}

/** The object's database size, the events it keeps, and those not archived yet. */
export function storageStatus(sql: SqlStorage): {
  bytes: number;
  events: number;
  pendingArchive: number;
} {
  const archived = archivedSeq(sql);
  const row = sql
    .exec<{ events: number; pending: number }>(
      `select count(*) as events, (select count(*) from events where seq > ?) as pending from events`,
      archived,
    )
    .one();
  return { bytes: sql.databaseSize, events: row.events, pendingArchive: row.pending };
}
