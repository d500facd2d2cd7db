import { integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";
import { businesses } from "./businesses";

/**
 * Events per hour of each business (by event time), copied from its object's
 * hourly rollups by the `rollup` job: the dashboard reads every business's
 * recent activity from here in one query. Hours older than two days are
 * dropped, except each business's newest, which gives its last event time.
 * A sharded business has a row per shard and hour (each shard counts its own
 * events); readers add them up.
 */
export const activityHours = sqliteTable(
  "activity_hours",
  {
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    hour: integer("hour").notNull(),
    /** The shard whose events these are (0 when unsharded; docs/capacity.md, "Sharding"). */
    shard: integer("shard").notNull().default(0),
    events: integer("events").notNull(),
    /** The latest event time within the hour. */
    lastAt: integer("last_at").notNull(),
  },
  (t) => [primaryKey({ name: "activity_hours_pk", columns: [t.businessId, t.hour, t.shard] })],
);
