import { and, asc, count, gt, gte, inArray, max, sql } from "drizzle-orm";
import { BusinessSummaryList } from "../../../schema/contracts/businesses";
import { toBusiness } from "../../definitions/businesses";
import { pageOf } from "../../definitions/pages";
import type { Database } from "../../lib/db";
import { inList, tables } from "../../lib/db";
import { iso } from "../../lib/time";
import { listScope } from "../auth/scope";
import { manage } from "../routes";
import { BusinessPage } from "./list";

const HOUR = 3_600_000;
const HOURS = 24;
const { alerts, activityHours, businesses, fields } = tables;

export default manage
  .Businesses(
    "get",
    "/summary",
    "A page of businesses with their open alerts and last 24 hours of events",
  )
  .describe(
    "What the dashboard shows, from the D1 index in a constant number of queries however many businesses: open and acknowledged alerts by severity, events per hour over the last 24 hours and the last event's time. Event activity is copied from each business's object by its rollup job, so it lags the events by up to about 30 seconds.",
  )
  .input({ query: BusinessPage })
  .json(200, BusinessSummaryList, "A page of business summaries")
  .answer(({ query }, c) =>
    summarize(c.var.db, query, listScope(c, query.workspaceId), Date.now()),
  );

/**
 * One round trip to D1: a batch of five queries that each take the page of
 * businesses (keyset by id) as a subquery: the page itself, its fields, alert
 * counts (the partial `alerts_active_idx`), the recent hours and each business's
 * newest hour (the `activity_hours` key). Never one query per business.
 */
export async function summarize(
  db: Database,
  q: { cursor?: string | undefined; limit: number },
  workspaceIds: string[] | null,
  now: number,
): Promise<BusinessSummaryList> {
  const first = now - (now % HOUR) - (HOURS - 1) * HOUR;
  if (workspaceIds?.length === 0) return { items: [], nextCursor: null, from: iso(first) };
  const scope = and(
    q.cursor ? gt(businesses.id, q.cursor) : undefined,
    workspaceIds ? inList(businesses.workspaceId, workspaceIds) : undefined,
  );
  const page = db
    .select({ id: businesses.id })
    .from(businesses)
    .where(scope)
    .orderBy(asc(businesses.id))
    .limit(q.limit);
  const [rows, fieldRows, counts, hours, lasts] = await db.batch([
    db
      .select()
      .from(businesses)
      .where(scope)
      .orderBy(asc(businesses.id))
      .limit(q.limit + 1),
    db.select().from(fields).where(inArray(fields.businessId, page)).orderBy(asc(fields.position)),
    db
      .select({ businessId: alerts.businessId, severity: alerts.severity, n: count() })
      .from(alerts)
      // A literal list, so SQLite can use the partial index on active alerts.
      .where(
        and(sql`${alerts.status} in ('open', 'acknowledged')`, inArray(alerts.businessId, page)),
      )
      .groupBy(alerts.businessId, alerts.severity),
    db
      .select({
        businessId: activityHours.businessId,
        hour: activityHours.hour,
        events: activityHours.events,
      })
      .from(activityHours)
      .where(and(inArray(activityHours.businessId, page), gte(activityHours.hour, first))),
    db
      .select({ businessId: activityHours.businessId, last: max(activityHours.lastAt) })
      .from(activityHours)
      .where(inArray(activityHours.businessId, page))
      .groupBy(activityHours.businessId),
  ]);
  const fieldsOf = Map.groupBy(fieldRows, (r) => r.businessId);
  const active = Map.groupBy(counts, (r) => r.businessId);
  const perHour = Map.groupBy(hours, (r) => r.businessId);
  const last = new Map(lasts.map((r) => [r.businessId, r.last]));
  return {
    ...pageOf(rows, q.limit, (row) => {
      const severities = { info: 0, warning: 0, critical: 0 };
      for (const r of active.get(row.id) ?? []) severities[r.severity] = r.n;
      const series = new Array<number>(HOURS).fill(0);
      for (const r of perHour.get(row.id) ?? []) {
        const i = (r.hour - first) / HOUR;
        // A sharded business has a row per shard and hour.
        if (i >= 0 && i < HOURS) series[i] = (series[i] ?? 0) + r.events;
      }
      return {
        business: toBusiness(row, fieldsOf.get(row.id) ?? []),
        active: severities,
        lastEventAt: iso(last.get(row.id) ?? null),
        perHour: series,
      };
    }),
    from: iso(first),
  };
}
