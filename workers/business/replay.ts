import type { EventValue } from "../../schema/contracts/events";
import { seqRange } from "./archive";
import type { RuleEngine } from "./engine/engine";
import type { NewEvent } from "./events";
import { ownsSeq } from "./shards/storage";
import { getMeta, setMeta } from "./storage";

/**
 * A business's whole history in the order it was sent: the R2 archive for what
 * the object has pruned, then the events it still holds. Rules that start (new
 * or changed) replay it before they take live events, and backtests run over it.
 */

export interface SentEvent extends NewEvent {
  seq: number;
}

/** Events one replay step reads; the alarm comes back for the rest. */
export const REPLAY_CHUNK = 20_000;
/** A replay starts at most this many events before the newest one. */
export const REPLAY_MAX_EVENTS = 2_000_000;

interface ArchivedRange {
  key: string;
  first: number;
  last: number;
}

export async function archivedRanges(
  archive: R2Bucket,
  businessId: string,
): Promise<ArchivedRange[]> {
  const ranges: ArchivedRange[] = [];
  let cursor: string | undefined;
  do {
    const page = await archive.list({ prefix: `events/${businessId}/`, cursor, limit: 1000 });
    for (const o of page.objects) {
      const range = seqRange(o.key);
      if (range) ranges.push({ key: o.key, first: range[0], last: range[1] });
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return ranges.sort((a, b) => a.first - b.first);
}

/** The oldest event the object still holds, and the newest. */
function held(sql: SqlStorage): { first: number | null; last: number | null } {
  return sql
    .exec<{ first: number | null; last: number | null }>(
      `select min(seq) as first, max(seq) as last from events`,
    )
    .one();
}

/**
 * Archived events after `after` that the object no longer holds, from the first
 * archive object that has any; empty when the object holds everything after `after`.
 */
export async function readArchived(
  sql: SqlStorage,
  archive: R2Bucket,
  businessId: string,
  after: number,
): Promise<SentEvent[]> {
  const firstHeld = held(sql).first ?? Number.POSITIVE_INFINITY;
  if (after + 1 >= firstHeld) return [];
  for (const range of await archivedRanges(archive, businessId)) {
    if (range.last <= after || range.first >= firstHeld || !ownsSeq(sql, range.first)) continue;
    const events = (await archivedEvents(archive, range.key)).filter(
      (e) => e.seq > after && e.seq < firstHeld,
    );
    if (events.length) return events;
  }
  return [];
}

/** The events of one archive object (an NDJSON line each), in the order sent; none when it is gone. */
export async function archivedEvents(archive: R2Bucket, key: string): Promise<SentEvent[]> {
  const object = await archive.get(key);
  if (!object) return [];
  const events: SentEvent[] = [];
  for (const line of (await object.text()).split("\n")) {
    if (!line) continue;
    const e = JSON.parse(line) as { seq: number; time: number; data: Record<string, EventValue> };
    events.push({ seq: e.seq, time: e.time, data: e.data });
  }
  return events;
}

/** Held events after `after`, in the order sent. */
export function readHeld(sql: SqlStorage, after: number, limit: number): SentEvent[] {
  return sql
    .exec<{ seq: number; time: number; data: string }>(
      `select seq, time, data from events where seq > ? order by seq limit ?`,
      after,
      limit,
    )
    .toArray()
    .map((r) => ({ seq: r.seq, time: r.time, data: JSON.parse(r.data) }));
}

/** Where a replay starts: just before the oldest event it will read. */
export function replayStart(sql: SqlStorage): number {
  return Math.max(0, (held(sql).last ?? 0) - REPLAY_MAX_EVENTS);
}

// ---------------------------------------------------------------- replay of starting rules

/** A replay in progress: its rules, the last event replayed, and how many so far. */
export interface ReplayPass {
  rules: string[];
  after: number;
  events: number;
  /** The coordinator's: the definition version it started at (shards/replay.ts). */
  version?: number;
  /** The coordinator's: names the pass's progress in each shard (shards/replay.ts). */
  id?: number;
}

export function replayPasses(sql: SqlStorage): ReplayPass[] {
  const raw = getMeta(sql, "replay");
  return raw ? (JSON.parse(raw) as ReplayPass[]) : [];
}

export function savePasses(sql: SqlStorage, passes: ReplayPass[]): void {
  setMeta(sql, "replay", JSON.stringify(passes.filter((p) => p.rules.length > 0)));
}

/**
 * Starts a replay for rules that start afresh, if there is any history; a rule
 * already replaying starts over. The coordinator of a sharded business holds
 * no events (`across`): its shards do, so it always starts one. Returns
 * whether a replay is now due.
 */
export function startReplay(
  sql: SqlStorage,
  ruleIds: string[],
  across?: { version: number },
): boolean {
  const passes = replayPasses(sql).map((p) => ({
    ...p,
    rules: p.rules.filter((id) => !ruleIds.includes(id)),
  }));
  if (ruleIds.length > 0 && across)
    passes.push({
      rules: ruleIds,
      after: 0,
      events: 0,
      version: across.version,
      id: nextPass(sql),
    });
  else if (ruleIds.length > 0 && held(sql).last !== null)
    passes.push({ rules: ruleIds, after: replayStart(sql), events: 0 });
  savePasses(sql, passes);
  return passes.some((p) => p.rules.length > 0);
}

/**
 * A number no pass of this object had before: a pass that starts over gets a
 * new one, so it takes new cuts and bounds instead of the old pass's progress.
 */
function nextPass(sql: SqlStorage): number {
  const id = Number(getMeta(sql, "replay_pass") ?? 0) + 1;
  setMeta(sql, "replay_pass", String(id));
  return id;
}

/** Drops rules that no longer exist (or are disabled) from the replays. */
export function keepReplaying(sql: SqlStorage, live: ReadonlySet<string>): void {
  const passes = replayPasses(sql);
  if (passes.length === 0) return;
  savePasses(
    sql,
    passes.map((p) => ({ ...p, rules: p.rules.filter((id) => live.has(id)) })),
  );
}

/**
 * One step of the oldest replay: archived events are read first (async), then
 * the held ones inside `transaction`, synchronously, so a pass that reaches the
 * newest event ends before any live event can slip in. Returns whether more is due.
 */
export async function replayStep(
  sql: SqlStorage,
  archive: R2Bucket,
  engine: RuleEngine,
  transaction: (work: () => void) => void,
  now: number,
  isCurrent: () => boolean,
): Promise<boolean> {
  const pass = replayPasses(sql)[0];
  if (!pass) return false;
  const archived = await readArchived(sql, archive, engine.business.id, pass.after);
  transaction(() => {
    const passes = replayPasses(sql);
    const current = passes[0];
    // The rules changed while the archive was read (or the definition was
    // reloaded, and `engine` is no longer the one live events reach): the next
    // step picks up the new plan.
    if (!current || current.after !== pass.after || current.rules.join() !== pass.rules.join())
      return;
    if (!isCurrent()) return;
    const only = new Set(current.rules);
    const events = archived.length
      ? archived.slice(0, REPLAY_CHUNK)
      : readHeld(sql, current.after, REPLAY_CHUNK);
    engine.process(events, now, { only, muted: true });
    current.after = events.at(-1)?.seq ?? current.after;
    current.events += events.length;
    if (!archived.length && events.length < REPLAY_CHUNK) {
      // Caught up with the newest event: the rules go live.
      engine.resume(current.rules, now);
      passes.shift();
    }
    savePasses(sql, passes);
  });
  return replayPasses(sql).length > 0;
}
