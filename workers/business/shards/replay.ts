import { monitorOf } from "../../definitions/monitor";
import type { JobContext } from "../job-context";
import type { ReplayPass, SentEvent } from "../replay";
import {
  REPLAY_CHUNK,
  REPLAY_MAX_EVENTS,
  readArchived,
  readHeld,
  replayPasses,
  savePasses,
} from "../replay";
import { takeBacklog } from "./backlog";
import { apply } from "./merge";
import { shareOf } from "./reads";
import { mergePages } from "./streams";

/**
 * The coordinator's replay of rules that span keys (docs/capacity.md,
 * "Sharding"): it holds no events, so a rule that starts afresh there learns
 * from every shard's history, up to REPLAY_MAX_EVENTS in all (each shard its
 * share), oldest first, a page per shard each alarm step. At the pass's first
 * step each shard gives its outbox's cut and its newest seq (the bound), read
 * together; later pages read only up to the bound, from the archive for what
 * the shard pruned meanwhile and from its held events. Items that reach the
 * coordinator meanwhile wait in the backlog (shards/backlog.ts); the last step
 * takes the held items after each cut and puts the rules live.
 */

/** Where one shard's part of a pass stands. */
export interface ShardProgress {
  /** Every event up to `bound` was replayed from history; every outbox row after `cut` carries the new rules' items. */
  cut: number;
  bound: number;
  /** The last seq replayed. */
  after: number;
}

/** A page of one shard's history: events in (after, bound], in the order sent. */
export interface ShardPage {
  progress: ShardProgress;
  events: SentEvent[];
  /** The shard has events up to its bound after this page. */
  rest: boolean;
}

/**
 * Asks every shard for its next page (`from`: its progress, none at the
 * pass's first step), each loading at least `version` of the definition first.
 */
export type Gather = (
  version: number,
  from: (ShardProgress | undefined)[],
  share: number,
  limit: number,
) => Promise<ShardPage[]>;

/** The newest id AUTOINCREMENT gave in `table`, whether its row is still there or not (never given twice). */
function lastGiven(sql: SqlStorage, table: "shard_outbox" | "events"): number {
  return (
    sql.exec<{ seq: number }>(`select seq from sqlite_sequence where name = ?`, table).toArray()[0]
      ?.seq ?? 0
  );
}

/**
 * A shard's start of a pass, read in one synchronous step so no event is
 * stored in between: its cut, its bound, and the start of its `share` of
 * history (as replayStart for one object).
 */
function startOfPass(sql: SqlStorage, share: number): ShardProgress {
  const bound = lastGiven(sql, "events");
  return { cut: lastGiven(sql, "shard_outbox"), bound, after: Math.max(0, bound - share) };
}

/**
 * A shard's part: up to `limit` events after `from` (its progress; at the
 * pass's first step, its start), archived ones first, none past the bound.
 */
export async function shardPage(
  storage: DurableObjectStorage,
  archive: R2Bucket,
  businessId: string,
  from: ShardProgress | undefined,
  share: number,
  limit: number,
): Promise<ShardPage> {
  const progress = from ?? startOfPass(storage.sql, share);
  const archived = await readArchived(storage.sql, archive, businessId, progress.after);
  const read = archived.length ? archived : readHeld(storage.sql, progress.after, limit);
  const events = read.filter((e) => e.seq <= progress.bound).slice(0, limit);
  const last = events.at(-1)?.seq;
  return { progress, events, rest: last !== undefined && last < progress.bound };
}

/** The coordinator's gather: every shard's next page by RPC; none asked of a shard replayed up to its bound. */
export function gatherFromShards(ctx: Pick<JobContext, "env" | "engine">): Gather {
  const { id, shards } = ctx.engine.business;
  return (version, from, share, limit) =>
    Promise.all(
      Array.from({ length: shards }, (_, shard) => {
        const at = from[shard];
        if (at && at.after >= at.bound) return { progress: at, events: [], rest: false };
        return monitorOf(ctx.env, id, shard).replayPage(id, version, at, share, limit);
      }),
    );
}

/**
 * Events one step reads across the shards: REPLAY_CHUNK, or fewer when
 * `SPAN_REPLAY_STEP_EVENTS` says so (tests do, to see a pass over several
 * steps without storing tens of thousands of events).
 */
export function stepEvents(env: { SPAN_REPLAY_STEP_EVENTS?: string }): number {
  const n = Number(env.SPAN_REPLAY_STEP_EVENTS);
  return Number.isInteger(n) && n > 0 ? Math.min(n, REPLAY_CHUNK) : REPLAY_CHUNK;
}

/** Each shard's progress in a pass, as the last step left it (none before its first step). */
export function passProgress(sql: SqlStorage, pass: number, shards: number) {
  const rows = sql
    .exec<{ shard: number; cut: number; bound: number; after: number }>(
      `select shard, cut, bound, after from span_replay where pass = ?`,
      pass,
    )
    .toArray();
  const progress: (ShardProgress | undefined)[] = Array.from({ length: shards }, () => undefined);
  for (const { shard, cut, bound, after } of rows) progress[shard] = { cut, bound, after };
  return progress;
}

function saveProgress(sql: SqlStorage, pass: number, progress: ShardProgress[]): void {
  for (const [shard, { cut, bound, after }] of progress.entries())
    sql.exec(
      `insert into span_replay (pass, shard, cut, bound, after) values (?, ?, ?, ?, ?)
       on conflict (pass, shard) do update set after = excluded.after`,
      pass,
      shard,
      cut,
      bound,
      after,
    );
}

/** Progress of passes that ended or were dropped (their rules started over or went). */
function forgetProgress(sql: SqlStorage, live: number[]): void {
  sql.exec(
    `delete from span_replay where pass not in (select value from json_each(?))`,
    JSON.stringify(live),
  );
}

/** A pass's number (0 for one started before passes were numbered). */
const passId = (pass: ReplayPass) => pass.id ?? 0;

/**
 * The next events of the pages in time order, as far as is safe, and each
 * shard's progress after them; `done` when every shard was replayed to its bound.
 */
function nextEvents(pages: ShardPage[]) {
  const { merged, taken } = mergePages(
    pages.map((p) => p.events),
    pages.map((p) => p.rest),
  );
  const progress = pages.map((p, i) => ({
    ...p.progress,
    after: p.events[(taken[i] ?? 0) - 1]?.seq ?? p.progress.after,
  }));
  const done = pages.every((p, i) => !p.rest && taken[i] === p.events.length);
  return { events: merged, progress, done };
}

/**
 * One step of the coordinator's oldest replay: a page of each shard's history,
 * merged by time. When the rules changed or the definition was reloaded while
 * the shards answered, nothing is applied and the next step asks for the same
 * pages again. Returns whether more is due.
 */
export async function replayAcross(
  ctx: Pick<JobContext, "sql" | "engine" | "env" | "transaction" | "isCurrent">,
  now: number,
  gather: Gather,
): Promise<boolean> {
  const pass = replayPasses(ctx.sql)[0];
  if (!pass) return false;
  const { engine } = ctx;
  const { shards } = engine.business;
  const version = pass.version ?? engine.business.version;
  const from = passProgress(ctx.sql, passId(pass), shards);
  const limit = Math.ceil(stepEvents(ctx.env) / shards);
  const pages = await gather(version, from, shareOf(REPLAY_MAX_EVENTS, engine.business), limit);
  ctx.transaction(() => {
    const passes = replayPasses(ctx.sql);
    const current = passes[0];
    if (!ctx.isCurrent() || !current || passId(current) !== passId(pass)) return;
    if (current.version !== pass.version || current.rules.join() !== pass.rules.join()) return;
    const id = passId(current);
    if (JSON.stringify(passProgress(ctx.sql, id, shards)) !== JSON.stringify(from)) return;
    const next = nextEvents(pages);
    engine.process(next.events, now, { only: new Set(current.rules), muted: true });
    current.events += next.events.length;
    saveProgress(ctx.sql, id, next.progress);
    if (next.done) {
      goLive(ctx, current.rules, next.progress, now);
      passes.shift();
    }
    savePasses(ctx.sql, passes);
    forgetProgress(ctx.sql, passes.map(passId));
  });
  return replayPasses(ctx.sql).length > 0;
}

/** The end of a pass: the held items after each shard's cut are applied, and the rules go live. */
function goLive(
  { sql, engine }: Pick<JobContext, "sql" | "engine">,
  rules: string[],
  progress: ShardProgress[],
  now: number,
): void {
  const held = takeBacklog(
    sql,
    rules,
    progress.map((p) => p.cut),
  );
  engine.mutedWhile(() => {
    for (const items of held) apply(engine, items, now);
  });
  engine.resume(rules, now);
}
