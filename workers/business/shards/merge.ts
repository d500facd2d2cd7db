import type { RuleEngine } from "../engine/engine";
import { evaluators } from "../engine/evaluators";
import { judge } from "../engine/evaluators/aggregate";
import { stateKey } from "../engine/keyed-store";
import type { Acc } from "../engine/state";
import type { SpanItem, SpanRow } from "./outbox";

/**
 * The coordinator's half of the rules that span keys: it merges the shards'
 * partial state into its own rule state and judges as the one object that
 * holds those rules, so each of their alerts opens once. Rows a shard pushed
 * before are skipped (a retried push counts once).
 */
export function applyFromShard(
  engine: RuleEngine,
  sql: SqlStorage,
  shard: number,
  rows: SpanRow[],
  now: number,
): void {
  const seen =
    sql
      .exec<{ last_id: number }>(`select last_id from shard_inbox where shard = ?`, shard)
      .toArray()[0]?.last_id ?? 0;
  const fresh = rows.filter((row) => row.id > seen);
  const last = fresh.at(-1);
  if (!last) return;
  for (const row of fresh) {
    engine.noteIngest(row.received, now);
    apply(engine, row.items, now);
  }
  sql.exec(
    `insert into shard_inbox (shard, last_id) values (?, ?)
     on conflict (shard) do update set last_id = excluded.last_id`,
    shard,
    last.id,
  );
  // What the coordinator took on, for capacity planning (bench/ingest prints it).
  sql.exec(
    `insert into meta (key, value) values ('span_pushes', 1), ('span_items', ?)
     on conflict (key) do update set value = value + excluded.value`,
    fresh.reduce((n, row) => n + row.items.length, 0),
  );
}

function apply(engine: RuleEngine, items: SpanItem[], now: number): void {
  // Each touched bucket is judged once, at its latest event, after all partials merged.
  const judged: { rule: string; group: string; time: number }[] = [];
  for (const item of items) {
    const r = engine.rule(item.r);
    if (!r) continue; // changed or deleted since the shard folded it
    if (item.k === "e" && r.kind === "immediate") {
      evaluators.immediate.onEvent(engine, r, item.g, { time: item.t, data: item.d }, now);
    } else if (item.k === "e" && r.kind === "anomaly") {
      evaluators.anomaly.onEvent(engine, r, item.g, { time: item.t, data: item.d }, now);
    } else if (item.k === "l" && r.kind === "absence") {
      evaluators.absence.onEvent(engine, r, item.g, { time: item.t, data: {} }, now);
    } else if (item.k === "b" && r.kind === "aggregate") {
      mergeBucket(engine, stateKey(item.r, item.g), item.b, item.a);
      judged.push({ rule: item.r, group: item.g, time: item.t });
    }
  }
  judged.sort((a, b) => a.time - b.time);
  for (const { rule, group, time } of judged) {
    const r = engine.rule(rule);
    if (r?.kind === "aggregate") judge(engine, r, group, time, now, {});
  }
}

function mergeBucket(engine: RuleEngine, key: string, bucket: number, part: Acc): void {
  const map = engine.state.buckets.getOr(key, () => new Map());
  const acc = map.get(bucket) ?? { n: 0, sum: 0, min: null, max: null };
  acc.n += part.n;
  acc.sum += part.sum;
  if (part.min !== null) acc.min = acc.min === null ? part.min : Math.min(acc.min, part.min);
  if (part.max !== null) acc.max = acc.max === null ? part.max : Math.max(acc.max, part.max);
  map.set(bucket, acc);
  engine.state.buckets.touch(key, bucket);
}
