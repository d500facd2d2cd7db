/**
 * The Durable Object's SQLite schema. Each step runs once, in order, and the
 * reached version is stored, so creation is idempotent and later steps extend
 * earlier ones without rewriting them.
 */
const steps: string[][] = [
  [
    `create table if not exists meta (key text primary key, value text not null)`,
    `create table if not exists events (
       seq integer primary key autoincrement,
       time integer not null,
       received integer not null,
       source text not null,
       data text not null)`,
    `create index if not exists events_time_idx on events (time, seq)`,
    `create table if not exists schedule (
       kind text not null,
       key text not null default '',
       due integer not null,
       primary key (kind, key))`,
    `create index if not exists schedule_due_idx on schedule (due)`,
    `create table if not exists idempotency (
       key text primary key,
       body_hash text not null,
       response text not null,
       created integer not null)`,
    `create index if not exists idempotency_created_idx on idempotency (created)`,
    // A planned archive batch: written before the R2 put, so a retry writes the same object.
    `create table if not exists archive_pending (
       id integer primary key check (id = 1),
       first_seq integer not null,
       last_seq integer not null)`,
  ],
  // The rule engine: alerts (source of truth), their history, live rule state, and
  // the outbox of alert changes still to be copied to D1.
  [
    `create table if not exists alerts (
       id text primary key,
       rule_id text not null,
       group_key text not null,
       status text not null,
       severity text not null,
       summary text not null,
       opened_at integer not null,
       last_triggered_at integer not null,
       acknowledged_at integer,
       resolved_at integer,
       resolution text,
       count integer not null,
       event_time integer not null,
       context text not null,
       seq integer not null)`,
    `create unique index if not exists alerts_active_uq on alerts (rule_id, group_key) where status != 'resolved'`,
    `create index if not exists alerts_rule_idx on alerts (rule_id, status)`,
    `create table if not exists alert_log (
       id text primary key,
       alert_id text not null,
       type text not null,
       at integer not null,
       detail text)`,
    `create index if not exists alert_log_alert_idx on alert_log (alert_id, at)`,
    `create table if not exists outbox (
       id integer primary key autoincrement,
       kind text not null,
       alert_id text not null,
       transition_id text)`,
    `create table if not exists last_seen (
       rule_id text not null, group_key text not null, time integer not null,
       primary key (rule_id, group_key)) without rowid`,
    `create table if not exists agg (
       rule_id text not null, group_key text not null, bucket integer not null,
       n integer not null, sum real not null, min real, max real,
       primary key (rule_id, group_key, bucket)) without rowid`,
    `create table if not exists tolerance (
       rule_id text not null, group_key text not null, state text not null,
       primary key (rule_id, group_key)) without rowid`,
    `create table if not exists rule_state (
       rule_id text primary key, fingerprint text not null, since integer not null)`,
  ],
  // Notifications: outbox rows per (transition, channel) with the message to send.
  [`alter table outbox add column channel_id text`, `alter table outbox add column payload text`],
  // Anomaly rules: one detector state per (rule, group).
  [
    `create table if not exists anomaly (
       rule_id text not null, group_key text not null, state text not null,
       primary key (rule_id, group_key)) without rowid`,
  ],
  // History: alerts opened by backfilled events are historical (listed, never notified).
  [`alter table alerts add column historical integer not null default 0`],
  // Quiet alerting: pending and keep-firing state, keys retired from absence rules,
  // suppression flags, and which channels heard of each alert's opening.
  [
    `alter table alerts add column silenced integer not null default 0`,
    `alter table alerts add column inhibited integer not null default 0`,
    `alter table rule_state add column expect text`,
    `create table if not exists firing (
       rule_id text not null, group_key text not null, phase text not null,
       since integer not null, details text not null,
       primary key (rule_id, group_key)) without rowid`,
    `create table if not exists absence_muted (
       rule_id text not null, group_key text not null,
       primary key (rule_id, group_key)) without rowid`,
    `create table if not exists alert_notified (
       alert_id text not null, channel_id text not null, renotified integer not null default 0,
       primary key (alert_id, channel_id)) without rowid`,
    // Grouping: openings held for a channel's next grouped message, and when it last sent.
    `create table if not exists group_held (
       channel_id text not null, alert_id text not null, transition_id text not null,
       at integer not null, primary key (channel_id, alert_id)) without rowid`,
    `create table if not exists channel_state (
       channel_id text primary key, last_sent integer not null, last_group integer)`,
    // Stretches with no event from any source: absence rules do not blame the keys for them.
    `create table if not exists ingest_gaps (ended integer primary key, length integer not null)`,
  ],
  // Jobs: failed runs in a row and the last error (retries back off; the status shows them),
  // and the D1-index job takes its outbox's name.
  [
    `alter table schedule add column attempts integer not null default 0`,
    `alter table schedule add column last_error text`,
    `update or replace schedule set kind = 'index' where kind = 'outbox'`,
  ],
  // Heartbeat pings: the start of each job run still going, to measure its duration.
  [
    `create table if not exists job_runs (
       slug text not null, run_id text not null, started integer not null,
       primary key (slug, run_id)) without rowid`,
    // OpenTelemetry cumulative sums: each series' last totals, to store deltas.
    `create table if not exists otlp_series (
       series text primary key, start integer not null, totals text not null) without rowid`,
  ],
  // Coalesced ingest: the requests already stored from the ingest Queue, so a redelivered message counts once.
  [
    `create table if not exists coalesced (id text primary key, at integer not null) without rowid`,
    `create index if not exists coalesced_at_idx on coalesced (at)`,
  ],
  // Hourly rollups: per hour, the events ('' field: count, first and last time) and each
  // numeric field's count, sum, min and max; kept past retention for long series.
  // `rollup_dirty`: hours changed since they were last copied to D1's activity table.
  [
    `create table if not exists rollups (
       hour integer not null, field text not null, n integer not null,
       total real, lo real, hi real, primary key (hour, field)) without rowid`,
    `create table if not exists rollup_dirty (hour integer primary key)`,
  ],
  // Grouped hourly rollups (rollup-groups.ts): per hour, groupable field (`by`) and value
  // (`missing` for events without it), the events (`e`) and per numeric field ('' = events)
  // its count, sum, min and max. `rollup_overflow`: hours of a field with too many values.
  [
    `create table if not exists rollup_groups (
       hour integer not null, by text not null, missing integer not null, grp text not null,
       field text not null, e integer not null, n integer not null, total real, lo real, hi real,
       primary key (by, field, hour, missing, grp)) without rowid`,
    `create table if not exists rollup_overflow (
       hour integer not null, by text not null, primary key (hour, by)) without rowid`,
  ],
];

export const SCHEMA_VERSION = steps.length;

export function migrate(sql: SqlStorage): void {
  sql.exec(`create table if not exists meta (key text primary key, value text not null)`);
  const row = sql
    .exec<{ value: string }>(`select value from meta where key = 'schema_version'`)
    .toArray()[0];
  const from = row ? Number(row.value) : 0;
  for (let v = from; v < steps.length; v++) {
    for (const statement of steps[v] ?? []) sql.exec(statement);
    sql.exec(
      `insert into meta (key, value) values ('schema_version', ?)
       on conflict (key) do update set value = excluded.value`,
      String(v + 1),
    );
  }
}

/** The values of a query's one column, in its order. */
export function columnOf<T extends SqlStorageValue>(
  sql: SqlStorage,
  query: string,
  ...bindings: SqlStorageValue[]
): T[] {
  return Array.from(sql.exec(query, ...bindings).raw(), (row) => row[0] as T);
}

export function getMeta(sql: SqlStorage, key: string): string | undefined {
  return sql.exec<{ value: string }>(`select value from meta where key = ?`, key).toArray()[0]
    ?.value;
}

export function setMeta(sql: SqlStorage, key: string, value: string): void {
  sql.exec(
    `insert into meta (key, value) values (?, ?) on conflict (key) do update set value = excluded.value`,
    key,
    value,
  );
}

/** Notes which business this object serves, so an alarm after eviction can load it. */
export function rememberBusiness(sql: SqlStorage, businessId: string): void {
  if (getMeta(sql, "business_id") !== businessId) setMeta(sql, "business_id", businessId);
}

/** The business this object serves, as last noted. */
export function rememberedBusiness(sql: SqlStorage): string | undefined {
  return getMeta(sql, "business_id");
}
