import { z } from "@hono/zod-openapi";
import { ROLES } from "../tables/teams";
import { Cursor, Limit, Timestamp } from "./common";

export const Role = z.enum(ROLES).openapi("Role");
export const KeyRole = z.enum(["admin", "editor", "viewer"]).openapi("KeyRole");

const Name = z.string().trim().min(1).max(200);
export const Email = z
  .string()
  .trim()
  .toLowerCase()
  .max(254)
  .pipe(z.email())
  .openapi({ example: "ada@example.com" });
/** At least 10 characters; long passphrases are welcome. */
export const Password = z.string().min(10).max(1000);

export const WorkspaceCreate = z
  .object({ name: Name.openapi({ example: "Payments team" }) })
  .strict()
  .openapi("WorkspaceCreate");

export const Workspace = z
  .object({
    id: z.string(),
    name: z.string(),
    /** The caller's role in it (`owner` for the instance owner). */
    role: Role,
    createdAt: Timestamp,
  })
  .openapi("Workspace");
export type Workspace = z.infer<typeof Workspace>;

export const KeyCreate = z
  .object({
    name: Name.openapi({ example: "ci-deploy" }),
    role: KeyRole,
    expiresAt: Timestamp.optional().openapi({ description: "When the key stops working" }),
  })
  .strict()
  .openapi("KeyCreate");
export type KeyCreate = z.infer<typeof KeyCreate>;

export const ApiKey = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    name: z.string(),
    role: KeyRole,
    tokenPrefix: z.string().openapi({ description: "The token's first characters" }),
    createdBy: z.string(),
    createdAt: Timestamp,
    expiresAt: Timestamp.nullable(),
    lastUsedAt: Timestamp.nullable(),
    revokedAt: Timestamp.nullable(),
  })
  .openapi("ApiKey");
export type ApiKey = z.infer<typeof ApiKey>;

export const ApiKeyCreated = ApiKey.extend({
  token: z.string().openapi({ description: "The bearer token. Shown only in this response." }),
}).openapi("ApiKeyCreated");
export type ApiKeyCreated = z.infer<typeof ApiKeyCreated>;

export const MemberCreate = z.object({ email: Email, role: Role }).strict().openapi("MemberCreate");
export const MemberPatch = z.object({ role: Role }).strict().openapi("MemberPatch");

export const Member = z
  .object({
    id: z.string(),
    workspaceId: z.string(),
    email: z.string(),
    role: Role,
    status: z.enum(["invited", "active"]),
    createdAt: Timestamp,
    joinedAt: Timestamp.nullable(),
  })
  .openapi("Member");
export type Member = z.infer<typeof Member>;

export const MemberInvited = Member.extend({
  inviteUrl: z.string().openapi({
    description: "The one-time invitation link (also emailed). Shown only in this response.",
  }),
  emailed: z.boolean(),
}).openapi("MemberInvited");
export type MemberInvited = z.infer<typeof MemberInvited>;

export const AuditEntry = z
  .object({
    id: z.string(),
    at: Timestamp,
    actor: z.object({
      type: z.enum(["owner", "member", "key"]),
      id: z.string(),
      name: z.string(),
    }),
    action: z.string().openapi({ example: "rule.update" }),
    target: z.object({ type: z.string(), id: z.string() }),
    detail: z.unknown().openapi({ description: "A compact diff or the values concerned" }),
  })
  .openapi("AuditEntry");
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditQuery = z.object({
  cursor: Cursor,
  limit: Limit,
  action: z.string().max(100).optional().openapi({ description: "e.g. rule.update, or rule." }),
  actorId: z.string().max(100).optional(),
  targetId: z.string().max(100).optional(),
  from: Timestamp.optional(),
  to: Timestamp.optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const SignIn = z.object({ email: Email, password: z.string().min(1).max(1000) }).strict();
export const AcceptInvite = z
  .object({ token: z.string().min(1).max(200), password: Password })
  .strict();

export const Me = z
  .object({
    type: z.enum(["owner", "member"]),
    id: z.string(),
    email: z.string().nullable(),
    workspaces: z.array(Workspace),
  })
  .openapi("Me");
export type Me = z.infer<typeof Me>;

export const SessionCreated = Me.extend({
  token: z.string().openapi({
    description:
      "The session token: send it as a bearer token (the UI keeps it in an HttpOnly cookie)",
  }),
  expiresAt: Timestamp,
}).openapi("Session");
export type SessionCreated = z.infer<typeof SessionCreated>;
