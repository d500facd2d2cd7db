import { archivedSeq } from "./archive";
import { rolledSeq } from "./rollup";

/** Rows deleted per alarm run, so pruning never holds the object for long. */
export const PRUNE_CHUNK = 5000;
export const PRUNE_INTERVAL_MS = 15 * 60_000;
/** How long an Idempotency-Key is remembered. */
export const IDEMPOTENCY_WINDOW_MS = 24 * 3_600_000;
/** How long a coalesced request's id is remembered: longer than the ingest Queue keeps retrying a message. */
export const COALESCED_WINDOW_MS = 4 * 24 * 3_600_000;

export interface Retention {
  days: number;
  maxEvents: number;
}

/**
 * Deletes events past the retention horizon or beyond the newest `maxEvents`,
 * but never one that is not archived and rolled up yet. Returns whether more are due.
 */
export function pruneEvents(sql: SqlStorage, retention: Retention, now: number): boolean {
  const archived = Math.min(archivedSeq(sql), rolledSeq(sql)); // safe to delete up to here
  const cutoff = now - retention.days * 86_400_000;
  const byAge = sql
    .exec(
      `delete from events where seq in (
       select seq from events where time < ? and seq <= ? limit ?) returning seq`,
      cutoff,
      archived,
      PRUNE_CHUNK,
    )
    .toArray().length;
  const total = sql.exec<{ n: number }>(`select count(*) as n from events`).one().n;
  const excess = Math.min(total - retention.maxEvents, PRUNE_CHUNK);
  let byCount = 0;
  if (excess > 0) {
    byCount = sql
      .exec(
        `delete from events where seq in (select seq from events where seq <= ? order by seq limit ?) returning seq`,
        archived,
        excess,
      )
      .toArray().length;
  }
  sql.exec(`delete from idempotency where created < ?`, now - IDEMPOTENCY_WINDOW_MS);
  sql.exec(`delete from coalesced where at < ?`, now - COALESCED_WINDOW_MS);
  return byAge === PRUNE_CHUNK || (excess === PRUNE_CHUNK && byCount === PRUNE_CHUNK);
}
