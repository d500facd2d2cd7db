import type { RuleEngine } from "../engine/engine";
import { evaluators } from "../engine/evaluators";
import { judge } from "../engine/evaluators/aggregate";
import { stateKey } from "../engine/keyed-store";
import type { Acc } from "../engine/state";
import { holdBack, replayCuts } from "./backlog";
import type { CrossInhibition } from "./inhibit";
import type { SpanItem, SpanRow } from "./outbox";

/**
 * The coordinator's half of the rules that span keys: it merges the shards'
 * partial state into its own rule state and judges as the one object that
 * holds those rules, so each of their alerts opens once. Rows a shard pushed
 * before are skipped (a retried push counts once); a rule that replays its
 * history gets its items later, from its replay (shards/replay.ts). Returns
 * whether the inhibiting rules active in the shards changed.
 */
export function applyFromShard(
  engine: RuleEngine,
  sql: SqlStorage,
  shard: number,
  rows: SpanRow[],
  now: number,
  inhibition?: CrossInhibition,
): boolean {
  const seen =
    sql
      .exec<{ last_id: number }>(`select last_id from shard_inbox where shard = ?`, shard)
      .toArray()[0]?.last_id ?? 0;
  const fresh = rows.filter((row) => row.id > seen);
  const last = fresh.at(-1);
  if (!last) return false;
  let inhibitors = false;
  const cuts = replayCuts(sql, shard);
  for (const row of fresh) {
    if (row.received > 0) engine.noteIngest(row.received, now);
    const live: SpanItem[] = [];
    const held = new Map<string, SpanItem[]>();
    for (const item of row.items) {
      if (item.k === "i") {
        if (inhibition?.fromShard(shard, item)) inhibitors = true;
      } else if (row.id <= (cuts.get(item.r) ?? 0)) {
        // A replay read this row's events from the shard's history: counted there.
      } else if (engine.isPaused(item.r)) {
        // The rule replays: its replay takes these once it knows the shard's cut.
        const kept = held.get(item.r);
        if (kept) kept.push(item);
        else held.set(item.r, [item]);
      } else live.push(item);
    }
    apply(engine, live, now);
    for (const [rule, items] of held) holdBack(sql, rule, shard, row.id, items);
  }
  sql.exec(
    `insert into shard_inbox (shard, last_id) values (?, ?)
     on conflict (shard) do update set last_id = excluded.last_id`,
    shard,
    last.id,
  );
  if (cuts.size) sql.exec(`delete from span_cuts where shard = ? and cut <= ?`, shard, last.id);
  // What the coordinator took on, for capacity planning (bench/ingest prints it).
  sql.exec(
    `insert into meta (key, value) values ('span_pushes', 1), ('span_items', ?)
     on conflict (key) do update set value = value + excluded.value`,
    fresh.reduce((n, row) => n + row.items.length, 0),
  );
  return inhibitors;
}

/** Merges a row's items into the rules they name and judges what they touched. */
export function apply(engine: RuleEngine, items: SpanItem[], now: number): void {
  // Each touched bucket is judged once, at its latest event, after all partials merged.
  const judged: { rule: string; group: string; time: number }[] = [];
  for (const item of items) {
    if (item.k === "i") continue;
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
