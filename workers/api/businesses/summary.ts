import { createRoute, z } from "@hono/zod-openapi";
import { and, between, count, gte, inArray, max, sql } from "drizzle-orm";
import { BusinessSummaryList } from "../../../schema/contracts/businesses";
import { Cursor, Limit } from "../../../schema/contracts/common";
import { listBusinesses } from "../../definitions/businesses";
import type { Database } from "../../lib/db";
import { tables } from "../../lib/db";
import { iso } from "../../lib/time";
import { listScope } from "../auth/scope";
import type { Handler } from "../context";
import { adminSecurity, jsonResponse, problems } from "../openapi";

const HOUR = 3_600_000;
const HOURS = 24;
const { alerts, activityHours, businesses } = tables;

export const route = createRoute({
  method: "get",
  path: "/summary",
  tags: ["Businesses"],
  summary: "A page of businesses with their open alerts and last 24 hours of events",
  description:
    "What the dashboard shows, from the D1 index in a constant number of queries however many businesses: open and acknowledged alerts by severity, events per hour over the last 24 hours and the last event's time. Event activity is copied from each business's object by its rollup job, so it lags the events by up to about 30 seconds.",
  security: adminSecurity,
  request: {
    query: z.object({
      cursor: Cursor,
      limit: Limit,
      workspaceId: z.string().max(64).optional().openapi({ description: "Only this workspace's" }),
    }),
  },
  responses: {
    200: jsonResponse(BusinessSummaryList, "A page of business summaries"),
    ...problems(401, 422),
  },
});

/**
 * One page of businesses (keyset by id), then one batch of three queries over the
 * page's id range: alert counts (the partial `alerts_active_idx`), the recent
 * hours and each business's newest hour (the `activity_hours` key).
 */
export async function summarize(
  db: Database,
  q: { cursor?: string | undefined; limit: number },
  workspaceIds: string[] | null,
  now: number,
): Promise<BusinessSummaryList> {
  const first = now - (now % HOUR) - (HOURS - 1) * HOUR;
  const page = await listBusinesses(db, q, workspaceIds);
  const low = page.items[0]?.id;
  const high = page.items.at(-1)?.id;
  if (!low || !high) return { items: [], nextCursor: page.nextCursor, from: iso(first) };
  // A page is a contiguous run of ids: a range stays within D1's 100 bound parameters.
  const inPage = (column: typeof alerts.businessId | typeof activityHours.businessId) =>
    workspaceIds
      ? and(
          between(column, low, high),
          inArray(
            column,
            db
              .select({ id: businesses.id })
              .from(businesses)
              .where(
                and(
                  between(businesses.id, low, high),
                  inArray(businesses.workspaceId, workspaceIds),
                ),
              ),
          ),
        )
      : between(column, low, high);
  const [counts, hours, lasts] = await db.batch([
    db
      .select({ businessId: alerts.businessId, severity: alerts.severity, n: count() })
      .from(alerts)
      // A literal list, so SQLite can use the partial index on active alerts.
      .where(and(sql`${alerts.status} in ('open', 'acknowledged')`, inPage(alerts.businessId)))
      .groupBy(alerts.businessId, alerts.severity),
    db
      .select({
        businessId: activityHours.businessId,
        hour: activityHours.hour,
        events: activityHours.events,
      })
      .from(activityHours)
      .where(and(inPage(activityHours.businessId), gte(activityHours.hour, first))),
    db
      .select({ businessId: activityHours.businessId, last: max(activityHours.lastAt) })
      .from(activityHours)
      .where(inPage(activityHours.businessId))
      .groupBy(activityHours.businessId),
  ]);
  const active = Map.groupBy(counts, (r) => r.businessId);
  const perHour = Map.groupBy(hours, (r) => r.businessId);
  const last = new Map(lasts.map((r) => [r.businessId, r.last]));
  return {
    items: page.items.map((business) => {
      const severities = { info: 0, warning: 0, critical: 0 };
      for (const r of active.get(business.id) ?? []) severities[r.severity] = r.n;
      const series = new Array<number>(HOURS).fill(0);
      for (const r of perHour.get(business.id) ?? []) {
        const i = (r.hour - first) / HOUR;
        if (i >= 0 && i < HOURS) series[i] = r.events;
      }
      return {
        business,
        active: severities,
        lastEventAt: iso(last.get(business.id) ?? null),
        perHour: series,
      };
    }),
    nextCursor: page.nextCursor,
    from: iso(first),
  };
}

export const handler: Handler<typeof route> = async (c) => {
  const query = c.req.valid("query");
  return c.json(await summarize(c.var.db, query, listScope(c, query.workspaceId), Date.now()), 200);
};
