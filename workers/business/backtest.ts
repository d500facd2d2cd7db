import type { Business } from "../../schema/contracts/businesses";
import type { Rule } from "../../schema/contracts/rules";
import { iso } from "../lib/time";
import { AlertStore } from "./engine/alerts";
import { RuleEngine } from "./engine/engine";
import { ENGINE_JOBS } from "./engine/timers";
import { newestHistory } from "./newest";
import type { SentEvent } from "./replay";
import { mergeByTime } from "./shards/streams";

/** A backtest reads at most this many events (the newest before its end); the DO holds them in memory. */
export const BACKTEST_MAX_EVENTS = 200_000;
/**
 * …and at most this much of their data as JSON, in characters: the bound that
 * holds when events are large (memory, and a shard's answer under the RPC size
 * limit: each shard gets its share, as of the events).
 */
export const BACKTEST_MAX_CHARS = 20_000_000;

export interface BacktestAlert {
  groupKey: string;
  openedAt: string;
  resolvedAt: string | null;
  summary: string;
}

export interface BacktestResult {
  /** Events in the range the rule was evaluated on. */
  events: number;
  from: string | null;
  to: string | null;
  alerts: BacktestAlert[];
  /** Older history was left out to stay within BACKTEST_MAX_EVENTS. */
  truncated: boolean;
}

/** Thrown to roll the backtest's writes back, carrying what it found. */
class Rollback {
  constructor(readonly result: BacktestResult) {}
}

/**
 * What a rule would have raised over the business's history, in event time:
 * the live engine's own code runs over the events in the order they were sent,
 * inside a storage transaction that is rolled back, so live state is never
 * touched and nobody is notified. Timers (absence deadlines, window ends) run
 * on the clock of the events. Events before `from` still teach the rule (an
 * anomaly baseline, a period's running total); only alerts opened in
 * [from, to] are reported.
 */
export async function backtest(
  storage: DurableObjectStorage,
  archive: R2Bucket,
  business: Business,
  rule: Rule,
  range: { from?: number | undefined; to?: number | undefined },
  now: number,
): Promise<BacktestResult> {
  const history = await backtestHistory(storage, archive, business.id, range, now);
  return backtestOver(storage, business, rule, history, range, now);
}

/**
 * The events a backtest runs over, in the order they were sent: the newest up
 * to the range's end, at most `limit` and their share of BACKTEST_MAX_CHARS,
 * from the object and, for what it leaves short, the R2 archive (newest.ts).
 */
export async function backtestHistory(
  storage: DurableObjectStorage,
  archive: R2Bucket,
  businessId: string,
  range: { to?: number | undefined },
  now: number,
  limit = BACKTEST_MAX_EVENTS,
): Promise<{ events: SentEvent[]; truncated: boolean }> {
  const to = Math.min(range.to ?? now, now, Number.MAX_SAFE_INTEGER);
  const chars = Math.floor((BACKTEST_MAX_CHARS * limit) / BACKTEST_MAX_EVENTS);
  return newestHistory(storage.sql, archive, businessId, to, { events: limit, chars });
}

/**
 * The shards' histories as one stream: each shard's events keep their order,
 * and the streams interleave by event time (the order they were sent across
 * shards is not known; within a shard it is).
 */
export function mergeSent(parts: { events: SentEvent[]; truncated: boolean }[]) {
  return {
    events: mergeByTime(parts.map((p) => p.events)),
    truncated: parts.some((p) => p.truncated),
  };
}

/** Runs the rule over `history` in a storage transaction that is rolled back. */
export function backtestOver(
  storage: DurableObjectStorage,
  business: Business,
  rule: Rule,
  history: { events: SentEvent[]; truncated: boolean },
  range: { from?: number | undefined; to?: number | undefined },
  now: number,
): BacktestResult {
  const to = Math.min(range.to ?? now, now);
  const from = range.from ?? Number.NEGATIVE_INFINITY;
  try {
    storage.transactionSync(() => {
      throw new Rollback(evaluate(storage.sql, business, rule, history.events, from, to));
    });
  } catch (error) {
    if (error instanceof Rollback) return { ...error.result, truncated: history.truncated };
    throw error;
  }
  throw new Error("unreachable: the backtest transaction always rolls back");
}

function evaluate(
  sql: SqlStorage,
  business: Business,
  rule: Rule,
  events: SentEvent[],
  from: number,
  to: number,
): BacktestResult {
  const engine = new RuleEngine(sql, business, [{ ...rule, enabled: true }], new AlertStore(sql));
  const keyFrom = `${rule.id}\n`;
  const keyTo = `${rule.id}\u000b`;
  /** Runs the rule's timers due by `clock`, as the alarm would have. */
  const timers = (clock: number) => {
    for (let round = 0; round < 10_000; round++) {
      const due = sql
        .exec<{ kind: string; key: string; due: number }>(
          `select kind, key, due from schedule
           where kind in (select value from json_each(?)) and key >= ? and key < ? and due <= ?
           order by due limit 1`,
          JSON.stringify(ENGINE_JOBS),
          keyFrom,
          keyTo,
          clock,
        )
        .toArray()[0];
      if (!due) return;
      engine.runTimer(due.kind, due.key, Math.max(due.due, 0));
      engine.flush();
    }
  };
  // "No data from any source" is judged on the events' clock too: the live
  // record of arrivals (and outages) is the platform's, not the history's.
  sql.exec(`delete from ingest_gaps`);
  sql.exec(`delete from meta where key = 'last_ingest'`);
  let clock = Number.NEGATIVE_INFINITY;
  let counted = 0;
  for (const e of events) {
    timers(Math.max(clock, e.time));
    clock = Math.max(clock, e.time);
    engine.noteIngest(clock, clock);
    engine.process([e], clock);
    // Timers are rows in the schedule: every rule has some (deadlines, windows, `for`, `keepFiringFor`).
    engine.flush();
    if (e.time >= from) counted++;
  }
  timers(to);
  engine.flush();
  const alerts = sql
    .exec<{ group_key: string; event_time: number; resolved_at: number | null; summary: string }>(
      `select group_key, event_time, resolved_at, summary from alerts
       where rule_id = ? and event_time >= ? order by event_time, id`,
      rule.id,
      Number.isFinite(from) ? from : -8.64e15,
    )
    .toArray();
  const first = events.find((e) => e.time >= from)?.time;
  return {
    events: counted,
    from: first === undefined ? null : iso(Number.isFinite(from) ? from : first),
    to: events.length ? iso(to) : null,
    alerts: alerts.map((a) => ({
      groupKey: a.group_key,
      openedAt: iso(a.event_time) ?? "",
      resolvedAt: iso(a.resolved_at),
      summary: a.summary,
    })),
    truncated: false,
  };
}
