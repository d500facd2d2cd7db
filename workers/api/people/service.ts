import { eq } from "drizzle-orm";
import type { Me, SessionCreated } from "../../../schema/contracts/teams";
import { createSession } from "../../definitions/people";
import type { Principal } from "../../definitions/principal";
import { rolesOf } from "../../definitions/principal";
import { listWorkspaces } from "../../definitions/workspaces";
import type { Database } from "../../lib/db";
import { tables } from "../../lib/db";
import { iso } from "../../lib/time";

/** The caller and the workspaces they see. */
export async function me(db: Database, p: Principal): Promise<Me> {
  const workspaces = await listWorkspaces(db, p);
  if (p.type === "member") return { type: "member", id: p.userId, email: p.email, workspaces };
  return { type: "owner", id: "admin", email: null, workspaces };
}

/** A new session for a person, with what they see. */
export async function signedIn(db: Database, userId: string): Promise<SessionCreated> {
  const [user] = await db.select().from(tables.users).where(eq(tables.users.id, userId));
  const { token, expiresAt } = await createSession(db, userId);
  const principal: Principal = {
    type: "member",
    userId,
    email: user?.email ?? "",
    sessionId: null,
    roles: await rolesOf(db, userId),
  };
  return { ...(await me(db, principal)), token, expiresAt: iso(expiresAt) };
}
