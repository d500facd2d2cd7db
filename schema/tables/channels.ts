import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { businesses, nowMillisSql as now } from "./businesses";

export const channels = sqliteTable(
  "channels",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    type: text("type", {
      enum: ["webhook", "slack", "email", "pagerduty", "teams", "ntfy", "alertmanager"],
    }).notNull(),
    name: text("name").notNull().default(""),
    /** Where to: `{ url }` (webhook, slack, teams, alertmanager), `{ to }` (email), `{ url?, topic }` (ntfy), `{ url? }` (pagerduty). */
    target: text("target", { mode: "json" }).notNull(),
    /** What a channel authenticates with, readable to send: a webhook signing secret (`whsec_...`), a PagerDuty routing key, an ntfy or Alertmanager bearer token. */
    secret: text("secret"),
    /** Severities this channel receives, JSON array; null means all. */
    severities: text("severities", { mode: "json" }).$type<string[] | null>(),
    /** Re-notify an alert that stays open this often, in seconds; null means never. */
    renotifySeconds: integer("renotify_seconds"),
    /** Openings this soon after one that was sent are held and sent together; null: the default. */
    groupWaitSeconds: integer("group_wait_seconds"),
    /** Least time between two grouped messages; null: the default. */
    groupIntervalSeconds: integer("group_interval_seconds"),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [index("channels_business_idx").on(t.businessId)],
);

export const deliveries = sqliteTable(
  "deliveries",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    channelId: text("channel_id").notNull(),
    alertId: text("alert_id").notNull(),
    transitionId: text("transition_id").notNull(),
    eventType: text("event_type").notNull(),
    attempt: integer("attempt").notNull(),
    outcome: text("outcome", { enum: ["delivered", "failed", "dead"] }).notNull(),
    statusCode: integer("status_code"),
    error: text("error"),
    latencyMs: integer("latency_ms"),
    createdAt: integer("created_at").notNull().default(now),
  },
  (t) => [index("deliveries_business_idx").on(t.businessId, t.id)],
);
