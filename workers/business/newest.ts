import { archivedEvents, archivedRanges, type SentEvent } from "./replay";
import { ownsSeq } from "./shards/storage";

/**
 * The newest events of an object's history up to a time, in the order they
 * were sent, within a count and a size: what a backtest holds in memory. The object's own events are read newest first and
 * stop at the bound; the R2 archive is read, newest object first, only for
 * what they leave short, so a busy object with millions of kept or archived
 * events costs no more than the bound.
 */

export interface Bound {
  /** Events at most. */
  events: number;
  /** Their data as JSON (as the object stores it), in characters, at most (the oldest go first). */
  chars: number;
}

export interface Newest {
  events: SentEvent[];
  /** Older events were left out to stay within the bound. */
  truncated: boolean;
}

/** Room left in a bound as events are taken newest first. */
class Budget {
  private events = 0;
  private chars = 0;
  constructor(private readonly bound: Bound) {}

  /** Takes one event of `size` characters; false when it does not fit. */
  take(size: number): boolean {
    if (this.events + 1 > this.bound.events || this.chars + size > this.bound.chars) return false;
    this.events++;
    this.chars += size;
    return true;
  }
}

const PAGE = 5_000;

/**
 * Reads the object's events with `time <= to`, newest first, until the bound;
 * `before` is the oldest seq the object holds (every older one is archived).
 * Synchronous: nothing can change the object between its reads.
 */
function newestHeld(
  sql: SqlStorage,
  to: number,
  budget: Budget,
): { events: SentEvent[]; full: boolean; before: number } {
  const before =
    sql.exec<{ first: number | null }>(`select min(seq) as first from events`).one().first ??
    Number.POSITIVE_INFINITY;
  const newestFirst: SentEvent[] = [];
  let below = Number.MAX_SAFE_INTEGER;
  for (;;) {
    const page = sql
      .exec<{ seq: number; time: number; data: string }>(
        `select seq, time, data from events where seq < ? and time <= ? order by seq desc limit ?`,
        below,
        to,
        PAGE,
      )
      .toArray();
    for (const r of page) {
      if (!budget.take(r.data.length)) return { events: newestFirst.reverse(), full: true, before };
      newestFirst.push({ seq: r.seq, time: r.time, data: JSON.parse(r.data) });
    }
    const last = page.at(-1);
    if (!last || page.length < PAGE) return { events: newestFirst.reverse(), full: false, before };
    below = last.seq;
  }
}

/** Archived events with `seq < before` and `time <= to`, newest archive object first, until the bound. */
async function newestArchived(
  sql: SqlStorage,
  archive: R2Bucket,
  businessId: string,
  before: number,
  to: number,
  budget: Budget,
): Promise<{ events: SentEvent[]; full: boolean }> {
  const ranges = (await archivedRanges(archive, businessId)).filter(
    (r) => r.first < before && ownsSeq(sql, r.first),
  );
  const chunks: SentEvent[][] = [];
  for (const range of ranges.reverse()) {
    const chunk: SentEvent[] = [];
    for (const e of (await archivedEvents(archive, range.key)).reverse()) {
      if (e.seq >= before || e.time > to) continue;
      if (!budget.take(JSON.stringify(e.data).length)) {
        chunks.push(chunk.reverse());
        return { events: chunks.reverse().flat(), full: true };
      }
      chunk.push(e);
    }
    chunks.push(chunk.reverse());
  }
  return { events: chunks.reverse().flat(), full: false };
}

/**
 * The newest events up to `to` within `bound`, held and archived, in the
 * order they were sent.
 */
export async function newestHistory(
  sql: SqlStorage,
  archive: R2Bucket,
  businessId: string,
  to: number,
  bound: Bound,
): Promise<Newest> {
  const budget = new Budget(bound);
  const held = newestHeld(sql, to, budget);
  if (held.full) return { events: held.events, truncated: true };
  const older = await newestArchived(sql, archive, businessId, held.before, to, budget);
  return { events: [...older.events, ...held.events], truncated: older.full };
}
