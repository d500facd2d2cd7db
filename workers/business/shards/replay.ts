import { monitorOf } from "../../definitions/monitor";
import { BACKTEST_MAX_EVENTS, backtestHistory } from "../backtest";
import type { JobContext } from "../job-context";
import type { SentEvent } from "../replay";
import { replayPasses, savePasses } from "../replay";
import { takeBacklog } from "./backlog";
import { apply } from "./merge";
import { shareOf } from "./reads";
import { mergeByTime } from "./streams";

/**
 * The coordinator's replay of rules that span keys (docs/capacity.md,
 * "Sharding"): it holds no events, so a rule that starts afresh there learns
 * from every shard's history, read at once in one alarm step. Each shard
 * answers with its newest events (its share of BACKTEST_MAX_EVENTS) and its
 * outbox's cut; items that reach the coordinator meanwhile wait in the backlog
 * (shards/backlog.ts). One transaction then replays the merged history, takes
 * the held items after each cut, and puts the rules live.
 */

/** One shard's history for a replay, in the order it was sent, and its outbox's cut. */
export interface ShardHistory {
  events: SentEvent[];
  truncated: boolean;
  /** Every event up to here is in `events`; every outbox row after it carries the new rules' items. */
  cut: number;
}

/** Asks every shard for its history, each loading at least `version` of the definition first. */
export type Gather = (version: number, limit: number) => Promise<ShardHistory[]>;

/** The newest outbox row id given (AUTOINCREMENT gives none twice, even after rows were pushed and deleted). */
export function outboxCut(sql: SqlStorage): number {
  return (
    sql
      .exec<{ seq: number }>(`select seq from sqlite_sequence where name = 'shard_outbox'`)
      .toArray()[0]?.seq ?? 0
  );
}

/**
 * A shard's part: its newest `limit` events (archived and held, whatever their
 * time) and, read in the same synchronous step as the held ones, its cut.
 */
export async function shardHistory(
  storage: DurableObjectStorage,
  archive: R2Bucket,
  businessId: string,
  limit: number,
): Promise<ShardHistory> {
  let cut = 0;
  const history = await backtestHistory(
    storage,
    archive,
    businessId,
    {},
    Number.POSITIVE_INFINITY,
    limit,
    () => {
      cut = outboxCut(storage.sql);
    },
  );
  return { ...history, cut };
}

/** The coordinator's gather: every shard's history, by RPC. */
export function gatherFromShards(ctx: Pick<JobContext, "env" | "engine">): Gather {
  const { id, shards } = ctx.engine.business;
  return (version, limit) =>
    Promise.all(
      Array.from({ length: shards }, (_, shard) =>
        monitorOf(ctx.env, id, shard).replayHistory(id, version, limit),
      ),
    );
}

/**
 * One step of the coordinator's oldest replay: the whole pass at once. When
 * the rules changed or the definition was reloaded while the shards answered,
 * nothing is applied and the next step starts over. Returns whether more is due.
 */
export async function replayAcross(
  ctx: Pick<JobContext, "sql" | "engine" | "transaction" | "isCurrent">,
  now: number,
  gather: Gather,
): Promise<boolean> {
  const pass = replayPasses(ctx.sql)[0];
  if (!pass) return false;
  const { engine } = ctx;
  const version = pass.version ?? engine.business.version;
  const parts = await gather(version, shareOf(BACKTEST_MAX_EVENTS, engine.business));
  ctx.transaction(() => {
    const passes = replayPasses(ctx.sql);
    const current = passes[0];
    if (!ctx.isCurrent() || !current || current.version !== pass.version) return;
    if (current.rules.join() !== pass.rules.join()) return;
    const events = mergeByTime(parts.map((p) => p.events));
    engine.process(events, now, { only: new Set(current.rules), muted: true });
    const held = takeBacklog(
      ctx.sql,
      current.rules,
      parts.map((p) => p.cut),
    );
    engine.mutedWhile(() => {
      for (const items of held) apply(engine, items, now);
    });
    engine.resume(current.rules, now);
    passes.shift();
    savePasses(ctx.sql, passes);
  });
  return replayPasses(ctx.sql).length > 0;
}
