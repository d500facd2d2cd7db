import type { Business } from "../../../schema/contracts/businesses";
import type { EventValue } from "../../../schema/contracts/events";
import type { Rule } from "../../../schema/contracts/rules";
import type { CompiledRule } from "../engine/compile";
import { compileEnabled } from "../engine/compile";
import type { Acc } from "../engine/state";
import { bucketOf } from "../engine/windows";
import type { NewEvent } from "../events";
import { scheduleAtMost } from "../schedule";
import type { Place } from "./route";
import { isSharded, runsInShards } from "./route";

/**
 * The shard's half of the rules that span keys (docs/capacity.md, "Sharding"):
 * each ingest transaction folds its events into what those rules need, as one
 * outbox row, and the shard's alarm hands the rows to the coordinator every
 * `PUSH_INTERVAL_MS`. Mergeable kinds travel as partial state; the kinds whose
 * state depends on the order of single events travel as those events.
 */

/** How often a shard hands its partial state to the coordinator: the delay bound of rules that span keys. */
export const PUSH_INTERVAL_MS = 1_000;
/** The job that hands the outbox to the coordinator. */
export const JOB_SHARD_PUSH = "shard-push";
/** Outbox rows handed over per call (a call stays well under the RPC size limit). */
const ROWS_PER_PUSH = 200;

export type SpanItem =
  /** An aggregate's partial: one bucket of one group, and the latest event time in it. */
  | { k: "b"; r: string; g: string; b: number; a: Acc; t: number }
  /** An absence rule's last-seen time of one group. */
  | { k: "l"; r: string; g: string; t: number }
  /** One event for an order-dependent rule (immediate, anomaly): what it needs of it. */
  | { k: "e"; r: string; g: string; t: number; d: Record<string, EventValue> };

/** One ingest transaction's worth of partial state. */
export interface SpanRow {
  id: number;
  received: number;
  items: SpanItem[];
}

/** The spanning rules, compiled, a shard folds events for; undefined when it has none. */
export class SpanOutbox {
  private constructor(
    private readonly rules: CompiledRule[],
    private readonly timezone: string,
  ) {}

  static of(place: Place, business: Business, rules: Rule[]): SpanOutbox | undefined {
    if (place.role !== "shard" || !isSharded(business)) return undefined;
    const spanning = compileEnabled(
      rules.filter((r) => !runsInShards(r, business)),
      business,
    );
    return spanning.length ? new SpanOutbox(spanning, business.timezone) : undefined;
  }

  /** Folds a batch into one outbox row and makes sure a push is planned; in the caller's transaction. */
  collect(sql: SqlStorage, events: NewEvent[], received: number, now: number): void {
    const items: SpanItem[] = [];
    const partials = new Map<string, Extract<SpanItem, { k: "b" | "l" }>>();
    for (const event of events) {
      for (const r of this.rules) {
        if (r.where && !r.where(event.data)) continue;
        const g = r.groupKey(event.data);
        const id = r.rule.id;
        if (r.kind === "absence") {
          const key = `l\n${id}\n${g}`;
          const seen = partials.get(key);
          if (!seen) partials.set(key, { k: "l", r: id, g, t: event.time });
          else seen.t = Math.max(seen.t, event.time);
        } else if (r.kind === "aggregate") {
          let value = 1;
          if (r.aggregate.field) {
            const v = event.data[r.aggregate.field];
            if (typeof v !== "number") continue;
            value = v;
          }
          const b = bucketOf(r.window, event.time, this.timezone);
          const key = `b\n${id}\n${g}\n${b}`;
          const part = partials.get(key) as Extract<SpanItem, { k: "b" }> | undefined;
          if (!part) {
            partials.set(key, {
              k: "b",
              r: id,
              g,
              b,
              a: { n: 1, sum: value, min: value, max: value },
              t: event.time,
            });
          } else {
            part.a.n += 1;
            part.a.sum += value;
            part.a.min = Math.min(part.a.min ?? value, value);
            part.a.max = Math.max(part.a.max ?? value, value);
            part.t = Math.max(part.t, event.time);
          }
        } else {
          items.push({ k: "e", r: id, g, t: event.time, d: event.data });
        }
      }
    }
    items.push(...partials.values());
    if (items.length === 0) return;
    sql.exec(
      `insert into shard_outbox (received, items) values (?, ?)`,
      received,
      JSON.stringify(items),
    );
    scheduleAtMost(sql, JOB_SHARD_PUSH, "", now + PUSH_INTERVAL_MS);
  }
}

/** The coordinator's side of a push, as the shard calls it. */
export interface SpanReceiver {
  fromShard(
    businessId: string,
    shard: number,
    rows: SpanRow[],
  ): Promise<"applied" | "business-deleted">;
}

/**
 * Hands the outbox to the coordinator, oldest rows first; a row leaves the
 * outbox once the coordinator applied it (it skips rows it already has, so a
 * retried push counts once). Returns whether rows remain.
 */
export async function pushOutbox(
  sql: SqlStorage,
  businessId: string,
  shard: number,
  coordinator: SpanReceiver,
): Promise<boolean> {
  const rows = sql
    .exec<{ id: number; received: number; items: string }>(
      `select id, received, items from shard_outbox order by id limit ?`,
      ROWS_PER_PUSH,
    )
    .toArray()
    .map((r) => ({ id: r.id, received: r.received, items: JSON.parse(r.items) as SpanItem[] }));
  const last = rows.at(-1);
  if (!last) return false;
  await coordinator.fromShard(businessId, shard, rows);
  sql.exec(`delete from shard_outbox where id <= ?`, last.id);
  return rows.length === ROWS_PER_PUSH;
}
