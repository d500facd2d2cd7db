/**
 * The one outbox of a business's object: rows written in the same storage
 * transaction as the change they carry, handed on later by a job of the same
 * name. `index` rows copy alert changes to the D1 alert index; `notify` rows are
 * messages for the notifications Queue.
 */
export type OutboxKind = "index" | "notify";

export interface OutboxEntry {
  alertId: string;
  transitionId?: string | null;
  channelId?: string | null;
  payload?: string | null;
}

export interface OutboxRow {
  id: number;
  alert_id: string;
  transition_id: string | null;
  channel_id: string | null;
  payload: string | null;
  [key: string]: SqlStorageValue;
}

/** Per SQL storage: the kinds enqueued since `takeEnqueued` last asked. */
const enqueued = new WeakMap<SqlStorage, Set<OutboxKind>>();

export function enqueue(sql: SqlStorage, kind: OutboxKind, entry: OutboxEntry): void {
  const kinds = enqueued.get(sql) ?? new Set<OutboxKind>();
  enqueued.set(sql, kinds.add(kind));
  sql.exec(
    `insert into outbox (kind, alert_id, transition_id, channel_id, payload) values (?, ?, ?, ?, ?)`,
    kind,
    entry.alertId,
    entry.transitionId ?? null,
    entry.channelId ?? null,
    entry.payload ?? null,
  );
}

export function hasQueued(sql: SqlStorage, kind: OutboxKind): boolean {
  return (
    sql
      .exec<{ queued: number }>(
        `select exists (select 1 from outbox where kind = ?) as queued`,
        kind,
      )
      .one().queued === 1
  );
}

/**
 * The kinds enqueued since the last call, forgotten: a transaction schedules
 * their jobs without asking storage (rows queued before have theirs already).
 */
export function takeEnqueued(sql: SqlStorage): OutboxKind[] {
  const kinds = enqueued.get(sql);
  enqueued.delete(sql);
  return kinds ? [...kinds] : [];
}

/**
 * Hands the oldest `limit` rows of a kind to `sink` and deletes them once it
 * resolved (a sink that throws leaves them for the retry, so sinks must bear
 * a repeat). Returns whether more wait, asked after the await: rows queued
 * meanwhile count too, so no wake-up is lost.
 */
export function drain(
  sql: SqlStorage,
  kind: OutboxKind,
  limit: number,
  sink: (rows: OutboxRow[]) => Promise<void>,
): Promise<boolean> {
  // One drain of a kind at a time: a second caller (an RPC's follow-up while the
  // alarm drains) would hand on the same rows again while the first awaits its sink.
  let running = draining.get(sql);
  if (!running) {
    running = new Map();
    draining.set(sql, running);
  }
  const current = running.get(kind);
  if (current) return current.then(() => hasQueued(sql, kind));
  const done = drainOnce(sql, kind, limit, sink).finally(() => running.delete(kind));
  running.set(kind, done);
  return done;
}

const draining = new WeakMap<SqlStorage, Map<OutboxKind, Promise<boolean>>>();

async function drainOnce(
  sql: SqlStorage,
  kind: OutboxKind,
  limit: number,
  sink: (rows: OutboxRow[]) => Promise<void>,
): Promise<boolean> {
  const rows = sql
    .exec<OutboxRow>(
      `select id, alert_id, transition_id, channel_id, payload from outbox where kind = ? order by id limit ?`,
      kind,
      limit,
    )
    .toArray();
  const last = rows.at(-1);
  if (!last) return false;
  await sink(rows);
  sql.exec(`delete from outbox where kind = ? and id <= ?`, kind, last.id);
  return hasQueued(sql, kind);
}
