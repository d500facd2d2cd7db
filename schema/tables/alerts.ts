import { sql } from "drizzle-orm";
import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import type { JsonObject } from "../contracts/json";
import { businesses } from "./businesses";

/**
 * The global alert index. Each business's Durable Object owns its alerts; every
 * transition is copied here so alerts can be listed across businesses.
 */
export const alerts = sqliteTable(
  "alerts",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    ruleId: text("rule_id").notNull(),
    ruleName: text("rule_name").notNull().default(""),
    groupKey: text("group_key").notNull(),
    status: text("status", { enum: ["open", "acknowledged", "resolved"] }).notNull(),
    severity: text("severity", { enum: ["info", "warning", "critical"] }).notNull(),
    summary: text("summary").notNull(),
    openedAt: integer("opened_at").notNull(),
    lastTriggeredAt: integer("last_triggered_at").notNull(),
    acknowledgedAt: integer("acknowledged_at"),
    resolvedAt: integer("resolved_at"),
    resolution: text("resolution"),
    count: integer("count").notNull(),
    eventTime: integer("event_time").notNull(),
    context: text("context", { mode: "json" }).$type<JsonObject>().notNull(),
    /** Opened by backfilled history: listed, never notified. */
    historical: integer("historical", { mode: "boolean" }).notNull().default(false),
    /** A silence matched it: it notified nobody while that lasted. */
    silenced: integer("silenced", { mode: "boolean" }).notNull().default(false),
    /** An alert of a rule in its rule's `inhibitedBy` was open. */
    inhibited: integer("inhibited", { mode: "boolean" }).notNull().default(false),
    /** Sequence of the last transition applied; older copies never overwrite newer ones. */
    seq: integer("seq").notNull(),
  },
  (t) => [
    index("alerts_status_idx").on(t.status, t.id),
    index("alerts_business_idx").on(t.businessId, t.id),
    index("alerts_rule_idx").on(t.ruleId, t.id),
    index("alerts_severity_idx").on(t.severity, t.id),
    // The dashboard's open counts per business and severity, without reading resolved alerts.
    index("alerts_active_idx")
      .on(t.businessId, t.severity)
      .where(sql`status in ('open', 'acknowledged')`),
    // The newest active alerts (the dashboard's list, `status=active`) without sorting them all.
    index("alerts_active_recent_idx").on(t.id).where(sql`status in ('open', 'acknowledged')`),
  ],
);

/** Every alert transition, the alert's history. Its id is the webhook id. */
export const alertTransitions = sqliteTable(
  "alert_transitions",
  {
    id: text("id").primaryKey(),
    alertId: text("alert_id").notNull(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    type: text("type", {
      enum: ["opened", "triggered", "acknowledged", "resolved", "renotified"],
    }).notNull(),
    at: integer("at").notNull(),
    detail: text("detail", { mode: "json" }),
  },
  (t) => [index("alert_transitions_alert_idx").on(t.alertId, t.at)],
);
