import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { businesses, nowMillisSql as now } from "./businesses";

/**
 * Silences and maintenance windows of a business: while one is active, the
 * alerts it matches open and resolve as usual but notify nobody.
 */
export const silences = sqliteTable(
  "silences",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    /** Null matches every rule (then groupKey is set). */
    ruleId: text("rule_id"),
    /** Null matches every group key (then ruleId is set). */
    groupKey: text("group_key"),
    startsAt: integer("starts_at").notNull(),
    /** The end of a one-off silence, or the last time a recurring one may start; null: no end. */
    endsAt: integer("ends_at"),
    /** A recurring window: RRULE in the business's time zone. */
    rrule: text("rrule"),
    durationSeconds: integer("duration_seconds"),
    comment: text("comment").notNull().default(""),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [index("silences_business_idx").on(t.businessId)],
);
