import type { EventValue, SeriesFn, SeriesPoint, StoredEvent } from "../../schema/contracts/events";
import { iso } from "../lib/time";

export interface NewEvent {
  time: number;
  data: Record<string, EventValue>;
  /** A per-event idempotency key (events entered in the UI): stored once while it is remembered. */
  key?: string;
}

/**
 * The events whose key was not stored before (and those without a key), the
 * keys of the kept ones recorded in the same transaction. Keys share the
 * idempotency table (with a prefix of their own) and its 24-hour memory.
 */
export function keepUnseen(sql: SqlStorage, events: NewEvent[], at: number): NewEvent[] {
  const keys = events.flatMap((e) => (e.key === undefined ? [] : [`event:${e.key}`]));
  if (keys.length === 0) return events;
  const fresh = new Set(
    sql
      .exec<{ key: string }>(
        `insert into idempotency (key, body_hash, response, created)
           select value, '', '', ? from json_each(?) where true
           on conflict do nothing returning key`,
        at,
        JSON.stringify(keys),
      )
      .toArray()
      .map((r) => r.key),
  );
  // `delete` keeps only the first of two events that carry the same key.
  return events.filter((e) => e.key === undefined || fresh.delete(`event:${e.key}`));
}

/**
 * Appends events in one statement (one crossing into SQLite however many
 * events); the caller's transaction makes them durable together.
 */
export function insertEvents(
  sql: SqlStorage,
  events: NewEvent[],
  receivedAt: number,
  sourceId: string,
): { firstSeq: number; lastSeq: number } {
  const [only] = events;
  if (events.length === 1 && only) {
    // One event (a device's usual request): a plain row, no JSON array to take apart.
    const { seq } = sql
      .exec<{ seq: number }>(
        `insert into events (time, received, source, data) values (?, ?, ?, ?) returning seq`,
        only.time,
        receivedAt,
        sourceId,
        JSON.stringify(only.data),
      )
      .one();
    return { firstSeq: seq, lastSeq: seq };
  }
  sql.exec(
    `insert into events (time, received, source, data)
       select value ->> '$.time', ?, ?, value -> '$.data' from json_each(?) order by key`,
    receivedAt,
    sourceId,
    JSON.stringify(events),
  );
  const lastSeq = sql.exec<{ seq: number }>(`select last_insert_rowid() as seq`).one().seq;
  return { firstSeq: lastSeq - events.length + 1, lastSeq };
}

/** Events of several requests, each with its own receipt time and source. */
export interface ReceivedEvent extends NewEvent {
  received: number;
  source: string;
}

/** Appends the events of many requests in one statement, in the order given. */
export function insertReceived(sql: SqlStorage, events: ReceivedEvent[]): { lastSeq: number } {
  sql.exec(
    `insert into events (time, received, source, data)
       select value ->> '$.time', value ->> '$.received', value ->> '$.source', value -> '$.data'
       from json_each(?) order by key`,
    JSON.stringify(events),
  );
  return { lastSeq: sql.exec<{ seq: number }>(`select last_insert_rowid() as seq`).one().seq };
}

export interface EventFilter {
  field: string;
  value: string | number;
}

export interface ListEventsQuery {
  from: number;
  to: number;
  limit: number;
  /** Continue after this (time, seq), newest first. */
  after?: { time: number; seq: number } | undefined;
  filter?: EventFilter | undefined;
}

interface EventRow {
  seq: number;
  time: number;
  received: number;
  source: string;
  data: string;
  [key: string]: SqlStorageValue;
}

export function toStoredEvent(row: EventRow): StoredEvent {
  return {
    id: String(row.seq),
    time: iso(row.time),
    receivedAt: iso(row.received),
    sourceId: row.source,
    data: JSON.parse(row.data),
  };
}

export function listEvents(
  sql: SqlStorage,
  q: ListEventsQuery,
): { items: StoredEvent[]; next: { time: number; seq: number } | null } {
  const where = ["time >= ?", "time < ?"];
  const args: SqlStorageValue[] = [q.from, q.to];
  if (q.after) {
    where.push("(time < ? or (time = ? and seq < ?))");
    args.push(q.after.time, q.after.time, q.after.seq);
  }
  if (q.filter) {
    where.push("json_extract(data, ?) = ?");
    args.push(`$.${q.filter.field}`, q.filter.value);
  }
  const rows = sql
    .exec<EventRow>(
      `select seq, time, received, source, data from events where ${where.join(" and ")}
       order by time desc, seq desc limit ?`,
      ...args,
      q.limit + 1,
    )
    .toArray();
  const page = rows.slice(0, q.limit);
  const last = page.at(-1);
  return {
    items: page.map(toStoredEvent),
    next: rows.length > q.limit && last ? { time: last.time, seq: last.seq } : null,
  };
}

export interface SeriesQuery {
  field: string | null;
  fn: SeriesFn;
  bucketMs: number;
  from: number;
  to: number;
  groupBy: string | null;
  /** Only this value of groupBy. */
  group?: string | null;
}

/** One object's series, and from when it is complete (docs/api.md, `incompleteBefore`). */
export interface SeriesPart {
  items: SeriesPoint[];
  /** Buckets starting before this time may miss pruned events; null when complete. */
  incompleteBefore: number | null;
}

export function series(sql: SqlStorage, q: SeriesQuery): SeriesPoint[] {
  const valueExpr = q.field ? "json_extract(data, ?)" : "1";
  const valueArgs: SqlStorageValue[] = q.field ? [`$.${q.field}`] : [];
  const aggregate = q.fn === "count" ? `count(${valueExpr})` : `${q.fn}(${valueExpr})`;
  const group = q.groupBy ? "cast(json_extract(data, ?) as text)" : "null";
  const groupArgs: SqlStorageValue[] = q.groupBy ? [`$.${q.groupBy}`] : [];
  const only = q.groupBy && q.group != null ? "and grp = ?" : "";
  const onlyArgs: SqlStorageValue[] = only ? [q.group ?? ""] : [];
  const rows = sql
    .exec<{ bucket: number; grp: string | null; value: number | null; n: number }>(
      `select time - (time % ?) as bucket, ${group} as grp, ${aggregate} as value, count(${valueExpr}) as n
       from events where time >= ? and time < ? ${only}
       group by bucket, grp order by bucket, grp`,
      q.bucketMs,
      ...groupArgs,
      ...valueArgs,
      ...valueArgs,
      q.from,
      q.to,
      ...onlyArgs,
    )
    .toArray();
  return rows.map((r) => {
    const point: SeriesPoint = { time: iso(r.bucket), value: r.value, count: r.n };
    if (q.groupBy) point.group = r.grp ?? "";
    return point;
  });
}
