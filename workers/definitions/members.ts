import { and, asc, eq, gt, isNotNull, isNull, ne, sql } from "drizzle-orm";
import type { Member } from "../../schema/contracts/teams";
import type { Role } from "../../schema/tables/teams";
import { randomToken, sha256Hex } from "../lib/crypto";
import type { Database } from "../lib/db";
import { tables } from "../lib/db";
import { conflict, forbidden, invalid, notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { hashPassword, verifyPassword } from "../lib/password";
import { ensureUser } from "./people";
import { shown } from "./rows";

const { members, users, workspaces } = tables;
type MemberRow = typeof members.$inferSelect;

/** An invitation link works this long, once. */
export const INVITE_TTL_MS = 7 * 24 * 3600_000;
const INVITE_PREFIX = "anomi_";

const toMember = (row: MemberRow): Member => ({
  ...shown(row, ["id", "workspaceId", "email", "role"], ["createdAt", "joinedAt"]),
  status: row.userId ? "active" : "invited",
});

export async function listMembers(db: Database, workspaceId: string): Promise<Member[]> {
  const rows = await db
    .select()
    .from(members)
    .where(eq(members.workspaceId, workspaceId))
    .orderBy(asc(members.createdAt), asc(members.id));
  return rows.map(toMember);
}

/** Only an owner hands out, changes or takes away the owner role. */
function assertMayGrant(callerRole: Role, role: Role) {
  if (role === "owner" && callerRole !== "owner") {
    throw forbidden("Only an owner can make or change an owner.");
  }
}

/** A pending member with a one-time invitation token (only its hash is kept). */
export async function inviteMember(
  db: Database,
  workspaceId: string,
  input: { email: string; role: Role },
  callerRole: Role,
): Promise<{ member: Member; token: string; workspaceName: string }> {
  assertMayGrant(callerRole, input.role);
  const at = Date.now();
  const token = `${INVITE_PREFIX}${randomToken(32)}`;
  const row: MemberRow = {
    id: newId("mem", at),
    workspaceId,
    email: input.email,
    userId: null,
    role: input.role,
    inviteTokenHash: await sha256Hex(token),
    inviteExpiresAt: at + INVITE_TTL_MS,
    createdAt: at,
    joinedAt: null,
  };
  const [inserted] = await db.insert(members).values(row).onConflictDoNothing().returning();
  if (!inserted) throw conflict(`${input.email} is already a member of this workspace.`);
  const [workspace] = await db
    .select({ name: workspaces.name })
    .from(workspaces)
    .where(eq(workspaces.id, workspaceId));
  return { member: toMember(row), token, workspaceName: workspace?.name ?? workspaceId };
}

async function memberOf(db: Database, workspaceId: string, memberId: string) {
  const [row] = await db
    .select()
    .from(members)
    .where(and(eq(members.id, memberId), eq(members.workspaceId, workspaceId)));
  if (!row) throw notFound("Member", memberId);
  return row;
}

/** Whether another active owner would remain without this member. */
async function anotherOwner(db: Database, workspaceId: string, memberId: string) {
  const [row] = await db
    .select({ n: sql<number>`count(*)` })
    .from(members)
    .where(
      and(
        eq(members.workspaceId, workspaceId),
        eq(members.role, "owner"),
        isNotNull(members.userId),
        ne(members.id, memberId),
      ),
    );
  return (row?.n ?? 0) > 0;
}

/** Refuses (409, `why`) to change an active owner when the workspace has no other. */
async function keepAnOwner(db: Database, row: MemberRow, why: string): Promise<void> {
  if (row.role === "owner" && row.userId && !(await anotherOwner(db, row.workspaceId, row.id)))
    throw conflict(why);
}

/** A workspace's member whose role the caller's may grant (a 404, or a 403). */
async function memberToChange(
  db: Database,
  workspaceId: string,
  memberId: string,
  callerRole: Role,
): Promise<MemberRow> {
  const row = await memberOf(db, workspaceId, memberId);
  assertMayGrant(callerRole, row.role);
  return row;
}

export async function changeRole(
  db: Database,
  workspaceId: string,
  memberId: string,
  role: Role,
  callerRole: Role,
): Promise<Member> {
  const row = await memberToChange(db, workspaceId, memberId, callerRole);
  assertMayGrant(callerRole, role);
  if (role !== "owner")
    await keepAnOwner(db, row, "The last owner of a workspace cannot stop being its owner.");
  await db.update(members).set({ role }).where(eq(members.id, row.id));
  return toMember({ ...row, role });
}

export async function removeMember(
  db: Database,
  workspaceId: string,
  memberId: string,
  callerRole: Role,
): Promise<Member> {
  const row = await memberToChange(db, workspaceId, memberId, callerRole);
  await keepAnOwner(db, row, "The last owner of a workspace cannot be removed.");
  await db.delete(members).where(eq(members.id, row.id));
  return toMember(row);
}

/**
 * Uses a one-time invitation: a new person sets their password; someone who
 * already has one confirms it. The link stops working either way.
 */
export async function acceptInvitation(
  db: Database,
  token: string,
  password: string,
): Promise<{ userId: string }> {
  const [row] = await db
    .select()
    .from(members)
    .where(
      and(
        eq(members.inviteTokenHash, await sha256Hex(token)),
        isNull(members.userId),
        gt(members.inviteExpiresAt, Date.now()),
      ),
    );
  if (!row) throw notFound("Invitation", `${token.slice(0, 10)}…`);
  const user = await ensureUser(db, row.email);
  if (user.passwordHash) {
    if (!(await verifyPassword(password, user.passwordHash))) {
      throw invalid("password", "is not the password of this account");
    }
  } else {
    await db
      .update(users)
      .set({ passwordHash: await hashPassword(password) })
      .where(eq(users.id, user.id));
  }
  const [used] = await db
    .update(members)
    .set({ userId: user.id, joinedAt: Date.now(), inviteTokenHash: null, inviteExpiresAt: null })
    .where(and(eq(members.id, row.id), isNull(members.userId)))
    .returning({ id: members.id });
  if (!used) throw notFound("Invitation", `${token.slice(0, 10)}…`);
  return { userId: user.id };
}

/** A person signed in through Cloudflare Access joins the workspaces that invited their email. */
export async function joinInvitedWorkspaces(db: Database, email: string, userId: string) {
  await db
    .update(members)
    .set({ userId, joinedAt: Date.now(), inviteTokenHash: null, inviteExpiresAt: null })
    .where(and(eq(members.email, email), isNull(members.userId)));
}
