import { getMeta, setMeta } from "../storage";
import type { Place } from "./route";
import { SHARD_SEQ_SPAN } from "./route";

/**
 * The object's name (which says its place, shards/route.ts): the runtime gives
 * it as `ctx.id.name`; it is kept in meta too, for a runtime that does not.
 */
export function objectName(sql: SqlStorage, name: string | undefined): string {
  if (name === undefined) return getMeta(sql, "object_name") ?? "";
  if (getMeta(sql, "object_name") !== name) setMeta(sql, "object_name", name);
  return name;
}

/**
 * The shards' own tables: a shard's outbox of partial state, the coordinator's
 * record of what it applied and of each shard's active inhibiting rules, and
 * what its replays hold back (items that arrived while a rule replayed),
 * leave out (items of rows the replayed history already covered) and how far
 * each shard's history has been replayed.
 */
export function ensureShardTables(sql: SqlStorage): void {
  sql.exec(`create table if not exists shard_outbox (
    id integer primary key autoincrement, received integer not null, items text not null)`);
  sql.exec(`create table if not exists shard_inbox (
    shard integer primary key, last_id integer not null)`);
  sql.exec(`create table if not exists shard_inhibitors (
    shard integer primary key, active text not null)`);
  // The coordinator's replay of rules that span keys (shards/replay.ts).
  sql.exec(`create table if not exists span_backlog (
    id integer primary key autoincrement, rule_id text not null, shard integer not null,
    row_id integer not null, items text not null)`);
  sql.exec(`create table if not exists span_cuts (
    rule_id text not null, shard integer not null, cut integer not null,
    primary key (rule_id, shard))`);
  // Where each shard's part of a replay pass stands, across alarm steps: the
  // cut and bound read at the pass's first step, and the last seq replayed.
  sql.exec(`create table if not exists span_replay (
    pass integer not null, shard integer not null, cut integer not null,
    bound integer not null, after integer not null, primary key (pass, shard)) without rowid`);
}

/**
 * Shard k > 0 numbers its events from k × SHARD_SEQ_SPAN, so an event's seq is
 * unique across the business: reads merge by (time, seq), and archive objects
 * (named by seq range) of different shards never collide.
 */
export function startSeq(sql: SqlStorage, place: Place): void {
  if (getMeta(sql, "seq_floor")) return;
  // The coordinator holds no events of its own (and replays none).
  if (place.role === "coordinator") {
    setMeta(sql, "seq_floor", "none");
    return;
  }
  if (place.shard === 0) return;
  const floor = place.shard * SHARD_SEQ_SPAN;
  // AUTOINCREMENT never goes below a seq it once gave: insert at the floor, then delete.
  sql.exec(
    `insert into events (seq, time, received, source, data) values (?, 0, 0, '', 'null')`,
    floor,
  );
  sql.exec(`delete from events where seq = ?`, floor);
  setMeta(sql, "seq_floor", String(floor));
}

/** Whether an event seq (of the business's archive) is this object's own: shards read only theirs. */
export function ownsSeq(sql: SqlStorage, seq: number): boolean {
  const floor = getMeta(sql, "seq_floor");
  if (floor === "none") return false;
  const from = Number(floor ?? 0);
  return seq >= from && seq < from + SHARD_SEQ_SPAN;
}
