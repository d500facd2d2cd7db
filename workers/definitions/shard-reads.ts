import type { Business } from "../../schema/contracts/businesses";
import type { SeriesPoint, StoredEvent } from "../../schema/contracts/events";
import type { GroupList } from "../../schema/contracts/groups";
import { groupStatuses } from "../../schema/contracts/groups";
import type { Rule } from "../../schema/contracts/rules";
import type { BacktestResult } from "../business/backtest";
import type { ListEventsQuery, SeriesPart, SeriesQuery } from "../business/events";
import type { GroupsQuery } from "../business/groups";
import type { AlertChange } from "../business/rpc";
import { runsInShards } from "../business/shards/route";
import { monitorOf, monitorsOf } from "./monitor";

/**
 * Reads of a sharded business, fanned out to its objects and merged, so a
 * caller sees one business (docs/capacity.md, "Sharding"). With one shard each
 * is the one object's answer.
 */

type Layout = Pick<Business, "id" | "shards">;

const shardsOf = (env: Env, b: Layout) =>
  Array.from({ length: b.shards }, (_, shard) => monitorOf(env, b.id, shard));

/** Newest first across shards: event seqs are unique per business (shards/storage.ts), so (time, seq) orders them all. */
export async function listEventsAll(
  env: Env,
  b: Layout,
  q: ListEventsQuery,
): Promise<{ items: StoredEvent[]; next: { time: number; seq: number } | null }> {
  if (b.shards === 1) return monitorOf(env, b.id).listEvents(b.id, q);
  const pages = await Promise.all(shardsOf(env, b).map((m) => m.listEvents(b.id, q)));
  const key = (e: StoredEvent) => ({ time: Date.parse(e.time), seq: Number(e.id) });
  const all = pages.flatMap((p) => p.items);
  all.sort((x, y) => {
    const a = key(x);
    const c = key(y);
    return c.time - a.time || c.seq - a.seq;
  });
  const items = all.slice(0, q.limit);
  const last = items.at(-1);
  const more = all.length > q.limit || pages.some((p) => p.next !== null);
  return { items, next: more && last ? key(last) : null };
}

/** Buckets merged: counts and sums add, min and max compare, an average is weighted by its count. */
export async function seriesAll(env: Env, b: Layout, q: SeriesQuery): Promise<SeriesPart> {
  if (b.shards === 1) return monitorOf(env, b.id).series(b.id, q);
  const parts = await Promise.all(shardsOf(env, b).map((m) => m.series(b.id, q)));
  const cuts = parts.flatMap((p) => (p.incompleteBefore === null ? [] : [p.incompleteBefore]));
  const merged = new Map<string, SeriesPoint>();
  for (const p of parts.flatMap((part) => part.items)) {
    const id = `${p.time}\n${p.group ?? ""}`;
    const into = merged.get(id);
    if (!into) {
      merged.set(id, { ...p });
      continue;
    }
    const n = into.count + p.count;
    if (into.value === null || p.value === null) into.value = into.value ?? p.value;
    else if (q.fn === "count" || q.fn === "sum") into.value += p.value;
    else if (q.fn === "min") into.value = Math.min(into.value, p.value);
    else if (q.fn === "max") into.value = Math.max(into.value, p.value);
    else into.value = n ? (into.value * into.count + p.value * p.count) / n : null;
    into.count = n;
  }
  const items = [...merged.values()].sort((x, y) =>
    x.time < y.time ? -1 : x.time > y.time ? 1 : (x.group ?? "") < (y.group ?? "") ? -1 : 1,
  );
  return { items, incompleteBefore: cuts.length ? Math.max(...cuts) : null };
}

/**
 * Group status across the objects: each is asked for the first `offset + limit`
 * rows; a key found in several (a field other than the shard key) keeps its
 * worst status and latest event. `counts` and `total` add the objects' figures:
 * exact when grouping by the shard key, an upper bound otherwise.
 */
export async function groupsAll(env: Env, b: Layout, q: GroupsQuery): Promise<GroupList> {
  if (b.shards === 1) return monitorOf(env, b.id).groups(b.id, q);
  const lists = await Promise.all(
    monitorsOf(env, b.id, b.shards).map((m) =>
      m.groups(b.id, { ...q, offset: 0, limit: q.offset + q.limit }),
    ),
  );
  const rank = (s: string) => groupStatuses.indexOf(s as (typeof groupStatuses)[number]);
  const rows = new Map<string, GroupList["items"][number]>();
  for (const row of lists.flatMap((l) => l.items)) {
    const had = rows.get(row.key);
    if (!had) {
      rows.set(row.key, { ...row, perHour: [...row.perHour] });
      continue;
    }
    if (rank(row.status) < rank(had.status)) had.status = row.status;
    if ((row.lastSeen ?? "") > (had.lastSeen ?? "")) had.lastSeen = row.lastSeen;
    had.activeAlerts += row.activeAlerts;
    row.perHour.forEach((n, i) => {
      had.perHour[i] = (had.perHour[i] ?? 0) + n;
    });
  }
  const sorted = [...rows.values()].sort(
    (x, y) =>
      rank(x.status) - rank(y.status) ||
      (x.lastSeen ?? "").localeCompare(y.lastSeen ?? "") ||
      (x.key < y.key ? -1 : x.key > y.key ? 1 : 0),
  );
  const counts = { down: 0, anomalous: 0, late: 0, up: 0 };
  let total = 0;
  for (const l of lists) {
    total += l.total;
    for (const s of groupStatuses) counts[s] += l.counts[s];
  }
  const items = sorted.slice(q.offset, q.offset + q.limit);
  const next = q.offset + items.length;
  return { by: q.by, counts, total, items, nextCursor: next < total ? String(next) : null };
}

/**
 * Failing background jobs of every object, and what they hold: events add up;
 * `bytes` is the largest object's, since the storage limit is per object.
 */
export async function statusAll(env: Env, b: Layout) {
  const parts = await Promise.all(
    monitorsOf(env, b.id, b.shards).map(async (m) => ({
      failing: await m.failingJobs(b.id),
      storage: await m.storageStatus(b.id),
    })),
  );
  const storage = { bytes: 0, events: 0, pendingArchive: 0 };
  for (const { storage: s } of parts) {
    storage.bytes = Math.max(storage.bytes, s.bytes);
    storage.events += s.events;
    storage.pendingArchive += s.pendingArchive;
  }
  return { failing: parts.flatMap((p) => p.failing), storage };
}

/** A change to an alert, made by the object that holds it (each alert lives in one). */
export async function changeAlertIn(
  env: Env,
  b: Layout,
  change: (m: ReturnType<typeof monitorOf>) => Promise<unknown>,
): Promise<AlertChange> {
  let outcome: AlertChange = { ok: false, reason: "not-found" };
  for (const m of monitorsOf(env, b.id, b.shards)) {
    outcome = (await change(m)) as AlertChange;
    if (outcome.ok || outcome.reason !== "not-found") return outcome;
  }
  return outcome;
}

/**
 * A backtest across shards. A rule grouped by the shard key: each shard
 * replays its own history (every event of a group is in one shard), and the
 * results add up. A rule that spans keys: the coordinator replays every
 * shard's history merged by event time (shards/streams.ts).
 */
export async function backtestAll(
  env: Env,
  b: Layout & Pick<Business, "shardKey">,
  rule: Rule,
  range: { from?: number | undefined; to?: number | undefined },
): Promise<BacktestResult> {
  if (b.shards === 1) return monitorOf(env, b.id).backtest(b.id, rule, range);
  if (!runsInShards(rule, b))
    return monitorOf(env, b.id, { role: "coordinator" }).backtestAcross(b.id, rule, range);
  const parts = await Promise.all(shardsOf(env, b).map((m) => m.backtest(b.id, rule, range)));
  const times = (pick: (p: BacktestResult) => string | null) =>
    parts
      .map(pick)
      .filter((t): t is string => t !== null)
      .sort();
  return {
    events: parts.reduce((n, p) => n + p.events, 0),
    from: times((p) => p.from)[0] ?? null,
    to: times((p) => p.to).at(-1) ?? null,
    alerts: parts
      .flatMap((p) => p.alerts)
      .sort((x, y) => x.openedAt.localeCompare(y.openedAt) || x.groupKey.localeCompare(y.groupKey)),
    truncated: parts.some((p) => p.truncated),
  };
}
