import type { EventValue } from "../../schema/contracts/events";
import { seqRange } from "../business/archive";
import { ownsSeq } from "../business/shards/storage";
import { mergeByTime } from "../business/shards/streams";

export interface PastEvent {
  time: number;
  data: Record<string, EventValue>;
}

export interface History {
  /** Oldest first. */
  events: PastEvent[];
  from: number;
  to: number;
  /** Events read from the R2 archive (older than what the business's object still holds). */
  archived: number;
  /** The cap was reached: only the newest events were read. */
  truncated: boolean;
}

/** The most events one profile run reads. */
export const HISTORY_CAP = 200_000;
/** How far back a profile run looks. */
export const HISTORY_DAYS = 28;

/**
 * The business's recent history: the events its Durable Object still holds,
 * completed from the R2 archive when the object has already pruned part of the
 * span (short retention or a busy source).
 */
export async function loadHistory(
  sql: SqlStorage,
  archive: R2Bucket,
  businessId: string,
  now: number,
  days = HISTORY_DAYS,
  cap = HISTORY_CAP,
): Promise<History> {
  const from = now - days * 86_400_000;
  const rows = sql
    .exec<{ seq: number; time: number; data: string }>(
      `select seq, time, data from events where time >= ? and time <= ? order by time desc, seq desc limit ?`,
      from,
      now,
      cap + 1,
    )
    .toArray();
  const truncated = rows.length > cap;
  const events: PastEvent[] = rows
    .slice(0, cap)
    .reverse()
    .map((r) => ({ time: r.time, data: JSON.parse(r.data) }));
  let archived = 0;

  const oldest = sql
    .exec<{ seq: number | null; time: number | null }>(
      `select min(seq) as seq, min(time) as time from events`,
    )
    .one();
  if (!truncated && (oldest.time === null || oldest.time > from)) {
    // Older events may be archived only: read the newest archive objects before the held ones.
    const before = oldest.seq ?? Number.POSITIVE_INFINITY;
    const keys: { key: string; last: number }[] = [];
    let cursor: string | undefined;
    do {
      const page = await archive.list({ prefix: `events/${businessId}/`, cursor, limit: 1000 });
      for (const o of page.objects) {
        const range = seqRange(o.key);
        // A shard of a sharded business reads only its own objects (named by its seq range).
        if (range && range[0] < before && ownsSeq(sql, range[0]))
          keys.push({ key: o.key, last: range[1] });
      }
      cursor = page.truncated ? page.cursor : undefined;
    } while (cursor && keys.length < 10_000);
    keys.sort((a, b) => b.last - a.last);
    const older: PastEvent[] = [];
    for (const { key } of keys) {
      if (events.length + older.length >= cap) break;
      const object = await archive.get(key);
      if (!object) continue;
      let newest = Number.NEGATIVE_INFINITY;
      for (const line of (await object.text()).split("\n")) {
        if (!line) continue;
        const e = JSON.parse(line) as { seq: number; time: number; data: PastEvent["data"] };
        // An object may also hold events the object still has: those were read above.
        if (e.seq >= before) continue;
        newest = Math.max(newest, e.time);
        if (e.time >= from && e.time <= now) older.push({ time: e.time, data: e.data });
      }
      // Objects go back in receipt order; once one holds nothing in the span, older ones will not either.
      if (Number.isFinite(newest) && newest < from) break;
    }
    older.sort((a, b) => a.time - b.time);
    const room = Math.max(0, cap - events.length);
    const kept = older.slice(Math.max(0, older.length - room));
    archived = kept.length;
    events.unshift(...kept);
  }
  return { events, from, to: now, archived, truncated };
}

/** The histories of a sharded business's shards as one: oldest first, in time order. */
export function mergeHistories(parts: History[]): History {
  const events = mergeByTime(parts.map((p) => p.events));
  return {
    events,
    from: Math.min(...parts.map((p) => p.from)),
    to: Math.max(...parts.map((p) => p.to)),
    archived: parts.reduce((n, p) => n + p.archived, 0),
    truncated: parts.some((p) => p.truncated),
  };
}
