import { asc, eq, inArray, sql } from "drizzle-orm";
import type { Alert, AlertSnooze, AlertTransition } from "../../../schema/contracts/alerts";
import type { Silence } from "../../../schema/contracts/silences";
import { toAlert } from "../../business/engine/alert-record";
import { newestFirst, pageOf } from "../../definitions/pages";
import { rowById } from "../../definitions/rows";
import { changeAlertIn } from "../../definitions/shard-reads";
import type { Database } from "../../lib/db";
import { inList, tables } from "../../lib/db";
import { parseDuration } from "../../lib/duration";
import { conflict, invalid, notFound } from "../../lib/errors";
import { iso } from "../../lib/time";
import { createSilence } from "../silences/service";

const { alerts, alertTransitions } = tables;
type AlertRow = typeof alerts.$inferSelect;

/** An alert of the D1 index in the API's form. */
const fromIndex = (row: AlertRow): Alert => toAlert(row, row.businessId, row.ruleName);

export interface AlertQuery {
  businessId?: string | undefined;
  status?: "open" | "acknowledged" | "resolved" | "active" | undefined;
  ruleId?: string | undefined;
  severity?: "info" | "warning" | "critical" | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** The alert index across businesses, newest first. */
export async function listAlerts(
  db: Database,
  q: AlertQuery,
  workspaceIds: string[] | null,
): Promise<{ items: Alert[]; nextCursor: string | null }> {
  if (workspaceIds?.length === 0) return { items: [], nextCursor: null };
  const inWorkspaces = workspaceIds
    ? inArray(
        alerts.businessId,
        db
          .select({ id: tables.businesses.id })
          .from(tables.businesses)
          .where(inList(tables.businesses.workspaceId, workspaceIds)),
      )
    : undefined;
  const where = [
    inWorkspaces,
    q.businessId ? eq(alerts.businessId, q.businessId) : undefined,
    q.status === "active"
      ? // A literal list, so SQLite can use the partial indexes on active alerts.
        sql`${alerts.status} in ('open', 'acknowledged')`
      : q.status
        ? eq(alerts.status, q.status)
        : undefined,
    q.ruleId ? eq(alerts.ruleId, q.ruleId) : undefined,
    q.severity ? eq(alerts.severity, q.severity) : undefined,
  ];
  return pageOf(await newestFirst(db, alerts, where, q), q.limit, fromIndex);
}

const indexRow = (db: Database, id: string): Promise<AlertRow> => rowById(db, alerts, "Alert", id);

export async function getAlert(
  db: Database,
  id: string,
): Promise<Alert & { history: AlertTransition[] }> {
  const row = await indexRow(db, id);
  const history = await db
    .select()
    .from(alertTransitions)
    .where(eq(alertTransitions.alertId, id))
    .orderBy(asc(alertTransitions.at), asc(alertTransitions.id));
  return {
    ...fromIndex(row),
    history: history.map((t) => ({
      id: t.id,
      type: t.type as AlertTransition["type"],
      at: iso(t.at),
      detail: (t.detail as Record<string, unknown> | null) ?? null,
    })),
  };
}

/** Acknowledges or resolves through the business's Durable Object, which owns the alert. */
export async function changeAlert(
  env: Env,
  db: Database,
  id: string,
  action: "ack" | "resolve" | "forget",
): Promise<Alert> {
  const row = await indexRow(db, id);
  const [layout] = await db
    .select({ id: tables.businesses.id, shards: tables.businesses.shards })
    .from(tables.businesses)
    .where(eq(tables.businesses.id, row.businessId));
  // The object that holds the alert (a shard or, for a rule that spans keys, the coordinator).
  // RPC typing cannot carry the free-form `context` record, so restate the method's own return type.
  const outcome = await changeAlertIn(env, layout ?? { id: row.businessId, shards: 1 }, (monitor) =>
    monitor.changeAlert(row.businessId, id, action),
  );
  if (outcome.ok) return outcome.alert;
  if (outcome.reason === "already-resolved") throw conflict(outcome.detail);
  throw notFound("Alert", id);
}

/** Snoozing is a silence on the alert's rule and group key, from now for the duration. */
export async function snoozeAlert(
  env: Env,
  db: Database,
  id: string,
  input: AlertSnooze,
): Promise<Silence> {
  const row = await indexRow(db, id);
  const ms = parseDuration(input.for);
  if (!ms) throw invalid("for", "must be a positive duration like 30m, 1h or 1d");
  const now = Date.now();
  return createSilence(env, db, row.businessId, {
    matchers: { ruleId: row.ruleId, groupKey: row.groupKey },
    startsAt: new Date(now).toISOString(),
    endsAt: new Date(now + ms).toISOString(),
    comment: input.comment ?? `Snoozed from alert ${row.id} for ${input.for}`,
    ...(input.createdBy ? { createdBy: input.createdBy } : {}),
  });
}
