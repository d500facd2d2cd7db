import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { nowMillisSql as now } from "./businesses";

/** The workspace that owned everything before teams existed; migration 0005 creates it. */
export const DEFAULT_WORKSPACE_ID = "wsp_default";

export const ROLES = ["owner", "admin", "editor", "viewer"] as const;
export type Role = (typeof ROLES)[number];

/** A tenant: businesses (and through them rules, channels, silences, alerts) belong to one. */
export const workspaces = sqliteTable("workspaces", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  createdAt: integer("created_at").notNull().default(now),
});

/** A person who signs in as themselves. */
export const users = sqliteTable("users", {
  id: text("id").primaryKey(),
  /** Lower-cased. */
  email: text("email").notNull().unique("users_email_uq"),
  /** `pbkdf2-sha256$<iterations>$<salt>$<hash>`; null for people who sign in only through Cloudflare Access. */
  passwordHash: text("password_hash"),
  createdAt: integer("created_at").notNull().default(now),
});

/** A person's place in a workspace; invited (no user yet) until the invitation is accepted. */
export const members = sqliteTable(
  "members",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    email: text("email").notNull(),
    userId: text("user_id").references(() => users.id, { onDelete: "cascade" }),
    role: text("role", { enum: ROLES }).notNull(),
    /** SHA-256 of the one-time invitation token; cleared when it is used. */
    inviteTokenHash: text("invite_token_hash").unique("members_invite_token_uq"),
    inviteExpiresAt: integer("invite_expires_at"),
    createdAt: integer("created_at").notNull().default(now),
    joinedAt: integer("joined_at"),
  },
  (t) => [
    uniqueIndex("members_workspace_email_uq").on(t.workspaceId, t.email),
    index("members_user_idx").on(t.userId),
  ],
);

/** A signed-in browser. The id is the SHA-256 of the cookie's token; the token is never stored. */
export const sessions = sqliteTable(
  "sessions",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id, { onDelete: "cascade" }),
    createdAt: integer("created_at").notNull().default(now),
    lastSeenAt: integer("last_seen_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [index("sessions_user_idx").on(t.userId)],
);

/** A bearer token for the management API inside one workspace, with a role. */
export const apiKeys = sqliteTable(
  "api_keys",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    role: text("role", { enum: ["admin", "editor", "viewer"] }).notNull(),
    /** SHA-256 of the token, hex; the token itself is never stored. */
    tokenHash: text("token_hash").notNull().unique("api_keys_token_hash_uq"),
    tokenPrefix: text("token_prefix").notNull(),
    createdBy: text("created_by").notNull(),
    createdAt: integer("created_at").notNull().default(now),
    expiresAt: integer("expires_at"),
    lastUsedAt: integer("last_used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [index("api_keys_workspace_idx").on(t.workspaceId, t.id)],
);

/** Who changed what, when: one row per change to definitions, keys, members and alerts. */
export const auditLog = sqliteTable(
  "audit_log",
  {
    id: text("id").primaryKey(),
    workspaceId: text("workspace_id")
      .notNull()
      .references(() => workspaces.id, { onDelete: "cascade" }),
    at: integer("at").notNull(),
    actorType: text("actor_type", { enum: ["owner", "member", "key"] }).notNull(),
    actorId: text("actor_id").notNull(),
    actorName: text("actor_name").notNull(),
    action: text("action").notNull(),
    targetType: text("target_type").notNull(),
    targetId: text("target_id").notNull(),
    detail: text("detail", { mode: "json" }),
  },
  (t) => [
    index("audit_workspace_idx").on(t.workspaceId, t.id),
    index("audit_workspace_target_idx").on(t.workspaceId, t.targetId, t.id),
  ],
);

/** Failed sign-ins per email and per client address in the current window, for throttling. */
export const signInFailures = sqliteTable("sign_in_failures", {
  key: text("key").primaryKey(),
  windowStart: integer("window_start").notNull(),
  failures: integer("failures").notNull(),
});
