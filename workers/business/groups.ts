import type { GroupList, GroupRow, GroupStatus } from "../../schema/contracts/groups";
import { groupStatuses } from "../../schema/contracts/groups";
import { iso } from "../lib/time";

const HOUR = 3_600_000;

export interface GroupsQuery {
  by: string;
  /** Absence rules on `by`: their ids and windows (late at half a window without an event). */
  absence: { ruleId: string; windowMs: number; expect: string[] }[];
  /** Every other rule on `by` (an active alert of one makes the key anomalous). */
  others: string[];
  q?: string | undefined;
  status?: GroupStatus | undefined;
  offset: number;
  limit: number;
  now: number;
}

/**
 * The status of every value of a field, worst first: down (an absence alert is
 * open), anomalous (another rule's alert is open), late (half an absence window
 * without an event), up. Keys come from the stored events and the absence rules'
 * last-seen record.
 */
export function groupStatus(sql: SqlStorage, q: GroupsQuery): GroupList {
  const path = `$.${q.by}`;
  const lastSeen = new Map<string, number>();
  for (const r of sql.exec<{ g: string; t: number }>(
    `select cast(json_extract(data, ?) as text) as g, max(time) as t from events
     where json_extract(data, ?) is not null group by g`,
    path,
    path,
  ))
    lastSeen.set(r.g, r.t);
  const absenceIds = q.absence.map((a) => a.ruleId);
  if (absenceIds.length) {
    for (const r of sql.exec<{ g: string; t: number }>(
      `select group_key as g, max(time) as t from last_seen
       where rule_id in (select value from json_each(?)) group by group_key`,
      JSON.stringify(absenceIds),
    ))
      if ((lastSeen.get(r.g) ?? 0) < r.t) lastSeen.set(r.g, r.t);
  }
  for (const a of q.absence)
    for (const key of a.expect) if (!lastSeen.has(key)) lastSeen.set(key, 0);
  const down = new Map<string, number>();
  const anomalous = new Map<string, number>();
  const ruleIds = [...absenceIds, ...q.others];
  if (ruleIds.length) {
    for (const r of sql.exec<{ rule_id: string; group_key: string }>(
      `select rule_id, group_key from alerts
       where status != 'resolved' and rule_id in (select value from json_each(?))`,
      JSON.stringify(ruleIds),
    )) {
      const target = absenceIds.includes(r.rule_id) ? down : anomalous;
      target.set(r.group_key, (target.get(r.group_key) ?? 0) + 1);
      if (!lastSeen.has(r.group_key) && r.group_key !== "*") lastSeen.set(r.group_key, 0);
    }
  }
  const lateAfter = q.absence.length ? Math.min(...q.absence.map((a) => a.windowMs)) / 2 : Infinity;
  const statusOf = (key: string, seen: number): GroupStatus =>
    down.has(key)
      ? "down"
      : anomalous.has(key)
        ? "anomalous"
        : q.now - seen > lateAfter
          ? "late"
          : "up";

  const counts = { down: 0, anomalous: 0, late: 0, up: 0 };
  const needle = q.q?.toLowerCase();
  const rows: { key: string; status: GroupStatus; seen: number }[] = [];
  for (const [key, seen] of lastSeen) {
    const status = statusOf(key, seen);
    counts[status] += 1;
    if (needle && !key.toLowerCase().includes(needle)) continue;
    if (q.status && q.status !== status) continue;
    rows.push({ key, status, seen });
  }
  // Worst first; within a status the longest silent first, then by key.
  const rank = (s: GroupStatus) => groupStatuses.indexOf(s);
  rows.sort(
    (a, b) =>
      rank(a.status) - rank(b.status) ||
      a.seen - b.seen ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  const page = rows.slice(q.offset, q.offset + q.limit);

  // Events per hour over the last 24 hours, for the page's keys only.
  const start = Math.floor(q.now / HOUR) * HOUR - 23 * HOUR;
  const perHour = new Map(page.map((r) => [r.key, new Array<number>(24).fill(0)]));
  if (page.length) {
    for (const r of sql.exec<{ g: string; h: number; n: number }>(
      `select cast(json_extract(data, ?) as text) as g, cast((time - ?) / ${HOUR} as integer) as h, count(*) as n
       from events where time >= ? and g in (select value from json_each(?)) group by g, h`,
      path,
      start,
      start,
      JSON.stringify(page.map((r) => r.key)),
    )) {
      const hours = perHour.get(r.g);
      if (hours && r.h >= 0 && r.h < 24) hours[r.h] = r.n;
    }
  }
  const items: GroupRow[] = page.map((r) => ({
    key: r.key,
    status: r.status,
    lastSeen: r.seen > 0 ? iso(r.seen) : null,
    activeAlerts: (down.get(r.key) ?? 0) + (anomalous.get(r.key) ?? 0),
    perHour: perHour.get(r.key) ?? [],
  }));
  const next = q.offset + page.length;
  return {
    by: q.by,
    counts,
    total: rows.length,
    items,
    nextCursor: next < rows.length ? String(next) : null,
  };
}
