import type { DetectorState } from "./detector-state";
import { loadDetectorState } from "./detector-state";
import type { StoreBackend } from "./keyed-store";
import { KeyedStore } from "./keyed-store";

/** One bucket of an aggregate: count, sum, min and max of what fell into it. */
export interface Acc {
  n: number;
  sum: number;
  min: number | null;
  max: number | null;
}

/** The engine's live state per (rule, group), each kind in its own table. */
export interface RuleState {
  /** Absence rules: the time of the key's latest event. */
  lastSeen: KeyedStore<number>;
  /** Aggregates and rate tolerances: buckets by start time (a part is a bucket). */
  buckets: KeyedStore<Map<number, Acc>>;
  /** Count tolerances: the last n matches as a string of 0s and 1s. */
  tolerance: KeyedStore<string>;
  /** Anomaly rules: the detector of the series. */
  detectors: KeyedStore<DetectorState>;
}

/** Tables holding live state per (rule, group); deleting a key or a rule clears them all. */
export const STATE_TABLES = ["last_seen", "agg", "tolerance", "anomaly"] as const;

export function memoryState(backend: <V>() => StoreBackend<V>): RuleState {
  return {
    lastSeen: new KeyedStore(backend<number>()),
    buckets: new KeyedStore(backend<Map<number, Acc>>()),
    tolerance: new KeyedStore(backend<string>()),
    detectors: new KeyedStore(backend<DetectorState>()),
  };
}

/** The state in the object's SQLite: one statement per table per flush, rows as one JSON parameter. */
export function sqliteState(sql: SqlStorage): RuleState {
  const one = <T>(query: string, ruleId: string, group: string) =>
    sql.exec<T & Record<string, SqlStorageValue>>(query, ruleId, group).toArray()[0];
  const upsert = (statement: string, rows: unknown[]) => sql.exec(statement, JSON.stringify(rows));
  /** One value per (rule, group) in `table`'s `column`; on conflict, `keep` (the new value unless told). */
  const column = <T, S extends SqlStorageValue>(
    table: string,
    name: string,
    codec: { load: (stored: S | undefined) => T | undefined; save: (value: T) => S },
    keep = `excluded.${name}`,
  ) =>
    new KeyedStore<T>({
      load: (ruleId, group) =>
        codec.load(
          one<Record<string, S>>(
            `select ${name} from ${table} where rule_id = ? and group_key = ?`,
            ruleId,
            group,
          )?.[name],
        ),
      save: (rows) =>
        upsert(
          `insert into ${table} (rule_id, group_key, ${name})
           select value ->> 0, value ->> 1, value ->> 2 from json_each(?) where true
           on conflict (rule_id, group_key) do update set ${name} = ${keep}`,
          rows.map((r) => [r.ruleId, r.groupKey, codec.save(r.value)]),
        ),
    });
  const asStored = { load: <V>(value: V) => value, save: <V>(value: V) => value };
  return {
    lastSeen: column<number, number>("last_seen", "time", asStored, "max(time, excluded.time)"),
    buckets: new KeyedStore<Map<number, Acc>>({
      load: (ruleId, group) => {
        const map = new Map<number, Acc>();
        for (const row of sql.exec<{
          bucket: number;
          n: number;
          sum: number;
          min: number | null;
          max: number | null;
        }>(
          `select bucket, n, sum, min, max from agg where rule_id = ? and group_key = ?`,
          ruleId,
          group,
        )) {
          map.set(row.bucket, { n: row.n, sum: row.sum, min: row.min, max: row.max });
        }
        return map;
      },
      save: (rows) =>
        upsert(
          `insert into agg (rule_id, group_key, bucket, n, sum, min, max)
           select value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6
           from json_each(?) where true
           on conflict (rule_id, group_key, bucket) do update
             set n = excluded.n, sum = excluded.sum, min = excluded.min, max = excluded.max`,
          rows.flatMap((r) =>
            [...r.parts].flatMap((bucket) => {
              const acc = r.value.get(bucket);
              return acc ? [[r.ruleId, r.groupKey, bucket, acc.n, acc.sum, acc.min, acc.max]] : [];
            }),
          ),
        ),
    }),
    tolerance: column<string, string>("tolerance", "state", asStored),
    detectors: column<DetectorState, string>("anomaly", "state", {
      load: loadDetectorState,
      save: (value) => JSON.stringify(value),
    }),
  };
}
