import { index, integer, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { businesses, nowMillisSql as now } from "./businesses";

export const rules = sqliteTable(
  "rules",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    kind: text("kind", { enum: ["immediate", "absence", "aggregate", "anomaly"] }).notNull(),
    /** The kind-specific part of the rule body (condition, window, expression, ...), as JSON. */
    spec: text("spec", { mode: "json" }).notNull(),
    where: text("where"),
    groupBy: text("group_by"),
    severity: text("severity", { enum: ["info", "warning", "critical"] })
      .notNull()
      .default("warning"),
    enabled: integer("enabled", { mode: "boolean" }).notNull().default(true),
    /** Channel ids as a JSON array; null means all of the business's channels. */
    channels: text("channels", { mode: "json" }).$type<string[] | null>(),
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [index("rules_business_idx").on(t.businessId)],
);

export const suggestions = sqliteTable(
  "suggestions",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    /** Identifies the suggestion's shape (kind, field, group) so a rejected one does not return. */
    fingerprint: text("fingerprint").notNull(),
    rule: text("rule", { mode: "json" }).notNull(),
    rationale: text("rationale").notNull(),
    evidence: text("evidence", { mode: "json" }).notNull(),
    status: text("status", { enum: ["pending", "approved", "rejected"] })
      .notNull()
      .default("pending"),
    ruleId: text("rule_id"),
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
    decidedAt: integer("decided_at"),
  },
  (t) => [index("suggestions_business_fingerprint_idx").on(t.businessId, t.fingerprint)],
);

/** The last profile run of each business: what it read and why it suggested nothing where it did not. */
export const profileRuns = sqliteTable("profile_runs", {
  businessId: text("business_id")
    .primaryKey()
    .references(() => businesses.id, { onDelete: "cascade" }),
  ranAt: integer("ran_at").notNull(),
  events: integer("events").notNull(),
  periodFrom: integer("period_from").notNull(),
  periodTo: integer("period_to").notNull(),
  groupField: text("group_field"),
  notes: text("notes", { mode: "json" }).notNull(),
});
