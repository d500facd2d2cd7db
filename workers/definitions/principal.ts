import { eq } from "drizzle-orm";
import type { Role } from "../../schema/tables/teams";
import type { Database } from "../lib/db";
import { tables } from "../lib/db";

/** Who is calling: the instance owner (admin token), a workspace's API key, or a person. */
export type Principal =
  | { type: "owner" }
  | { type: "key"; id: string; name: string; workspaceId: string; role: Role }
  | {
      type: "member";
      userId: string;
      email: string;
      /** The session's id when signed in with a session token (not with Cloudflare Access). */
      sessionId: string | null;
      roles: Map<string, Role>;
    };

export interface Actor {
  type: "owner" | "member" | "key";
  id: string;
  name: string;
}

export function actorOf(p: Principal): Actor {
  if (p.type === "owner") return { type: "owner", id: "admin", name: "instance owner" };
  if (p.type === "key") return { type: "key", id: p.id, name: p.name };
  return { type: "member", id: p.userId, name: p.email };
}

/** The caller's role in a workspace; null: the workspace is not theirs to see. */
export function roleIn(p: Principal, workspaceId: string): Role | null {
  if (p.type === "owner") return "owner";
  if (p.type === "key") return p.workspaceId === workspaceId ? p.role : null;
  return p.roles.get(workspaceId) ?? null;
}

/** The workspaces the caller sees; null: all of them (the instance owner). */
export function visibleWorkspaces(p: Principal): string[] | null {
  if (p.type === "owner") return null;
  if (p.type === "key") return [p.workspaceId];
  return [...p.roles.keys()];
}

/** A person's roles by workspace, from their active memberships. */
export async function rolesOf(db: Database, userId: string): Promise<Map<string, Role>> {
  const rows = await db
    .select({ workspaceId: tables.members.workspaceId, role: tables.members.role })
    .from(tables.members)
    .where(eq(tables.members.userId, userId));
  return new Map(rows.map((r) => [r.workspaceId, r.role]));
}
