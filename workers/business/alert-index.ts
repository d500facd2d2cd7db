import { sql as dsql } from "drizzle-orm";
import type { Database } from "../lib/db";
import { tables } from "../lib/db";
import type { AlertRecord } from "./engine/alert-record";
import { drain } from "./outbox";

/**
 * Outbox rows copied to D1 per alarm run: at most two statements each, within
 * D1's 1,000 queries per invocation.
 */
const BATCH = 400;

/**
 * Copies alert changes from the DO (the source of truth) to the D1 alert index.
 * A copy never replaces a newer one (`seq`), and transitions are inserted once,
 * so a retry after a partial failure does no harm. Returns whether more wait.
 */
export async function syncAlertIndex(
  sql: SqlStorage,
  db: Database,
  businessId: string,
  read: (alertId: string) => AlertRecord | undefined,
  ruleName: (ruleId: string) => string,
): Promise<boolean> {
  return drain(sql, "index", BATCH, async (rows) => {
    const alertIds = [...new Set(rows.map((r) => r.alert_id))];
    const transitionIds = rows.flatMap((r) => (r.transition_id ? [r.transition_id] : []));
    const statements = [];
    for (const id of alertIds) {
      const a = read(id);
      if (!a) continue;
      const row = {
        id: a.id,
        businessId,
        ruleId: a.ruleId,
        ruleName: ruleName(a.ruleId),
        groupKey: a.groupKey,
        status: a.status,
        severity: a.severity,
        summary: a.summary,
        openedAt: a.openedAt,
        lastTriggeredAt: a.lastTriggeredAt,
        acknowledgedAt: a.acknowledgedAt,
        resolvedAt: a.resolvedAt,
        resolution: a.resolution,
        count: a.count,
        eventTime: a.eventTime,
        context: a.context,
        historical: a.historical,
        seq: a.seq,
        silenced: a.silenced,
        inhibited: a.inhibited,
      };
      const {
        id: _id,
        businessId: _b,
        ruleId: _r,
        groupKey: _g,
        openedAt: _o,
        eventTime: _e,
        ...changes
      } = row;
      statements.push(
        db
          .insert(tables.alerts)
          .values(row)
          .onConflictDoUpdate({
            target: tables.alerts.id,
            set: changes,
            setWhere: dsql`${tables.alerts.seq} < excluded.seq`,
          }),
      );
    }
    if (transitionIds.length) {
      const log = sql
        .exec<{
          id: string;
          alert_id: string;
          type: "opened" | "acknowledged" | "resolved";
          at: number;
          detail: string | null;
        }>(
          // One JSON parameter: SQLite in a Durable Object takes at most 100 bound values.
          `select id, alert_id, type, at, detail from alert_log where id in (select value from json_each(?))`,
          JSON.stringify(transitionIds),
        )
        .toArray();
      for (const t of log) {
        statements.push(
          db
            .insert(tables.alertTransitions)
            .values({
              id: t.id,
              alertId: t.alert_id,
              businessId,
              type: t.type,
              at: t.at,
              detail: t.detail ? JSON.parse(t.detail) : null,
            })
            .onConflictDoNothing(),
        );
      }
    }
    const [first, ...rest] = statements;
    if (first) await db.batch([first, ...rest]);
  });
}
