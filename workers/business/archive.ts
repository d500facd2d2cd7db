import { getMeta, setMeta } from "./storage";

/** Events per archive object; a flush writes at most this many. */
export const ARCHIVE_BATCH = 5000;
/** How long new events wait before they are archived (they batch up meanwhile). */
export const ARCHIVE_DELAY_MS = 30_000;

interface Batch {
  firstSeq: number;
  lastSeq: number;
}

export function archivedSeq(sql: SqlStorage): number {
  return Number(getMeta(sql, "archived_seq") ?? 0);
}

function pad(n: number): string {
  return String(n).padStart(12, "0");
}

/**
 * Object key of a batch: sorts by receipt time, then by position, and names the
 * exact range so a retried write replaces the same object instead of doubling it.
 * `events/<business>/<yyyy>/<mm>/<dd>/<hh>/<first>-<last>.ndjson`
 */
export function archiveKey(businessId: string, receivedAt: number, batch: Batch): string {
  const d = new Date(receivedAt).toISOString();
  const [date = "", time = ""] = d.split("T");
  const [y, m, day] = date.split("-");
  return `events/${businessId}/${y}/${m}/${day}/${time.slice(0, 2)}/${pad(batch.firstSeq)}-${pad(batch.lastSeq)}.ndjson`;
}

/** The event positions an archive object holds, from its key: `…/00000000000123-00000000000456.ndjson` → [123, 456]. */
export function seqRange(key: string): [number, number] | undefined {
  const m = /\/(\d+)-(\d+)\.ndjson$/.exec(key);
  return m ? [Number(m[1]), Number(m[2])] : undefined;
}

/** The batch to write next: the pending one if a write failed before, else a new one. */
function planBatch(sql: SqlStorage): Batch | undefined {
  const pending = sql
    .exec<{ first_seq: number; last_seq: number }>(
      `select first_seq, last_seq from archive_pending`,
    )
    .toArray()[0];
  if (pending) return { firstSeq: pending.first_seq, lastSeq: pending.last_seq };
  const from = archivedSeq(sql) + 1;
  const range = sql
    .exec<{ first: number | null; last: number | null }>(
      `select min(seq) as first, max(seq) as last from (select seq from events where seq >= ? order by seq limit ?)`,
      from,
      ARCHIVE_BATCH,
    )
    .one();
  if (range.first === null || range.last === null) return undefined;
  const batch = { firstSeq: range.first, lastSeq: range.last };
  sql.exec(
    `insert into archive_pending (id, first_seq, last_seq) values (1, ?, ?)`,
    batch.firstSeq,
    batch.lastSeq,
  );
  return batch;
}

/**
 * Writes the next batch of unarchived events to R2 as NDJSON. Returns whether
 * more are waiting. A failed put throws and leaves the batch pending, so the
 * alarm retries the very same object.
 */
export async function flushArchive(
  storage: DurableObjectStorage,
  bucket: R2Bucket,
  businessId: string,
): Promise<boolean> {
  const sql = storage.sql;
  const batch = planBatch(sql);
  if (!batch) return false;
  // SQLite writes the NDJSON itself: one value crosses into JavaScript, not a row object per
  // event. One format() a line (not nine concatenations), the lines in `seq` order from the
  // subquery, which reads the key in order, rather than from a sort inside group_concat; and
  // the body as bytes (a blob), put as they are, never decoded to a string and encoded again.
  const { body, received } = sql
    .exec<{ body: ArrayBuffer | null; received: number | null }>(
      `select cast(group_concat(line, char(10)) || char(10) as blob) as body,
         (select received from events where seq >= ? order by seq limit 1) as received
       from (select format('{"seq":%s,"time":%s,"received":%s,"source":%s,"data":%s}',
               seq, time, received, json_quote(source), data) as line
             from events where seq between ? and ? order by seq)`,
      batch.firstSeq,
      batch.firstSeq,
      batch.lastSeq,
    )
    .one();
  if (body !== null && received !== null) {
    await bucket.put(archiveKey(businessId, received, batch), body, {
      httpMetadata: { contentType: "application/x-ndjson" },
      customMetadata: { firstSeq: String(batch.firstSeq), lastSeq: String(batch.lastSeq) },
    });
  }
  storage.transactionSync(() => {
    setMeta(sql, "archived_seq", String(batch.lastSeq));
    sql.exec(`delete from archive_pending`);
  });
  return (
    sql
      .exec<{ more: number }>(
        `select exists (select 1 from events where seq > ?) as more`,
        batch.lastSeq,
      )
      .one().more === 1
  );
}
