import { sql } from "drizzle-orm";
import { index, integer, primaryKey, sqliteTable, text } from "drizzle-orm/sqlite-core";

/** Times are epoch milliseconds; the API renders them as RFC 3339. */
const now = sql`(cast(unixepoch('subsec') * 1000 as integer))`;

export const businesses = sqliteTable(
  "businesses",
  {
    id: text("id").primaryKey(),
    /** The owning workspace (no REFERENCES: SQLite cannot add one to an existing table in place). */
    workspaceId: text("workspace_id").notNull().default("wsp_default"),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    timezone: text("timezone").notNull().default("UTC"),
    timeField: text("time_field").notNull().default("timestamp"),
    allowUnknownFields: integer("allow_unknown_fields", { mode: "boolean" })
      .notNull()
      .default(false),
    retentionDays: integer("retention_days").notNull().default(30),
    retentionMaxEvents: integer("retention_max_events").notNull().default(1_000_000),
    /** Durable Objects its events are spread over (docs/capacity.md, "Sharding"). */
    shards: integer("shards").notNull().default(1),
    /** The field whose value picks an event's shard; null while `shards` is 1 and none was named. */
    shardKey: text("shard_key"),
    /** Bumped on every change to the business or its fields; caches key on it. */
    version: integer("version").notNull().default(1),
    createdAt: integer("created_at").notNull().default(now),
    updatedAt: integer("updated_at").notNull().default(now),
  },
  (t) => [index("businesses_workspace_idx").on(t.workspaceId, t.id)],
);

export const fields = sqliteTable(
  "fields",
  {
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    type: text("type", {
      enum: ["string", "number", "integer", "boolean", "timestamp", "enum"],
    }).notNull(),
    required: integer("required", { mode: "boolean" }).notNull().default(false),
    /** Allowed values of an enum field, as a JSON array. */
    values: text("values", { mode: "json" }).$type<string[]>(),
    unit: text("unit"),
    description: text("description"),
    position: integer("position").notNull(),
  },
  (t) => [primaryKey({ name: "fields_pk", columns: [t.businessId, t.name] })],
);

export const sources = sqliteTable(
  "sources",
  {
    id: text("id").primaryKey(),
    businessId: text("business_id")
      .notNull()
      .references(() => businesses.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    /** SHA-256 of the token, hex; the token itself is never stored. */
    tokenHash: text("token_hash").notNull().unique("sources_token_hash_uq"),
    /** The token's first characters, so an operator can tell tokens apart. */
    tokenPrefix: text("token_prefix").notNull(),
    createdAt: integer("created_at").notNull().default(now),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("sources_business_idx").on(t.businessId)],
);

export const views = sqliteTable("views", {
  businessId: text("business_id")
    .primaryKey()
    .references(() => businesses.id, { onDelete: "cascade" }),
  config: text("config", { mode: "json" }).notNull(),
  updatedAt: integer("updated_at").notNull().default(now),
});

export { now as nowMillisSql };
