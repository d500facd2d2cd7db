import type { SpanItem } from "./outbox";

/**
 * What the coordinator's replay of a rule that spans keys holds back and
 * leaves out (shards/replay.ts). Each shard's history is read up to a cut: the
 * newest outbox row id it had given then. Items of a rule that arrive while it
 * replays wait in `span_backlog`; the replay takes those of rows after each
 * shard's cut (their events were not in the history) and drops the others.
 * Rows up to a cut that are pushed after the replay ended are left out for
 * that rule too (`span_cuts`), until the shard's pushes have passed the cut.
 */

/** Holds back one row's items of a replaying rule. */
export function holdBack(
  sql: SqlStorage,
  ruleId: string,
  shard: number,
  rowId: number,
  items: SpanItem[],
): void {
  sql.exec(
    `insert into span_backlog (rule_id, shard, row_id, items) values (?, ?, ?, ?)`,
    ruleId,
    shard,
    rowId,
    JSON.stringify(items),
  );
}

/** The cuts of one shard still in force, by rule: that rule's items in rows up to it are left out. */
export function replayCuts(sql: SqlStorage, shard: number): Map<string, number> {
  const rows = sql
    .exec<{ rule_id: string; cut: number }>(
      `select rule_id, cut from span_cuts where shard = ?`,
      shard,
    )
    .toArray();
  return new Map(rows.map((r) => [r.rule_id, r.cut]));
}

/**
 * Ends a replay's hold: the held items of its rules from rows after each
 * shard's cut, in the order they arrived, and the backlog goes. Cuts the
 * shard's pushes have not passed yet stay in force.
 */
export function takeBacklog(sql: SqlStorage, rules: string[], cuts: number[]): SpanItem[][] {
  const ids = JSON.stringify(rules);
  const taken = sql
    .exec<{ shard: number; row_id: number; items: string }>(
      `select shard, row_id, items from span_backlog
       where rule_id in (select value from json_each(?)) order by id`,
      ids,
    )
    .toArray()
    .filter((r) => r.row_id > (cuts[r.shard] ?? 0));
  sql.exec(`delete from span_backlog where rule_id in (select value from json_each(?))`, ids);
  const seen = new Map(
    sql
      .exec<{ shard: number; last_id: number }>(`select shard, last_id from shard_inbox`)
      .toArray()
      .map((r) => [r.shard, r.last_id]),
  );
  for (const [shard, cut] of cuts.entries()) {
    if ((seen.get(shard) ?? 0) >= cut) continue;
    for (const rule of rules)
      sql.exec(
        `insert into span_cuts (rule_id, shard, cut) values (?, ?, ?)
         on conflict (rule_id, shard) do update set cut = excluded.cut`,
        rule,
        shard,
        cut,
      );
  }
  return taken.map((r) => JSON.parse(r.items) as SpanItem[]);
}

/** Rules that start over or are gone: what they held back and their cuts go. */
export function forgetBacklog(sql: SqlStorage, rules: (id: string) => boolean): void {
  for (const table of ["span_backlog", "span_cuts"]) {
    const ids = sql
      .exec<{ rule_id: string }>(`select distinct rule_id from ${table}`)
      .toArray()
      .map((r) => r.rule_id)
      .filter(rules);
    if (ids.length)
      sql.exec(
        `delete from ${table} where rule_id in (select value from json_each(?))`,
        JSON.stringify(ids),
      );
  }
}
