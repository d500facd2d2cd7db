import { asc, eq } from "drizzle-orm";
import type { SQLiteTable } from "drizzle-orm/sqlite-core";
import type { Workspace } from "../../schema/contracts/teams";
import type { Role } from "../../schema/tables/teams";
import type { Database } from "../lib/db";
import { inList, tables } from "../lib/db";
import { notFound } from "../lib/errors";
import { newId } from "../lib/ids";
import { iso } from "../lib/time";
import type { Principal } from "./principal";
import { roleIn, visibleWorkspaces } from "./principal";

const { workspaces, members, businesses, alerts, suggestions, deliveries } = tables;
type WorkspaceRow = typeof workspaces.$inferSelect;

function toWorkspace(row: WorkspaceRow, role: Role): Workspace {
  return { id: row.id, name: row.name, role, createdAt: iso(row.createdAt) };
}

/** A new workspace; a person who creates one is its first owner. */
export async function createWorkspace(
  db: Database,
  name: string,
  by: Principal,
): Promise<Workspace> {
  const at = Date.now();
  const row: WorkspaceRow = { id: newId("wsp", at), name, createdAt: at };
  if (by.type === "member") {
    await db.batch([
      db.insert(workspaces).values(row),
      db.insert(members).values({
        id: newId("mem", at),
        workspaceId: row.id,
        email: by.email,
        userId: by.userId,
        role: "owner",
        createdAt: at,
        joinedAt: at,
      }),
    ]);
  } else {
    await db.insert(workspaces).values(row);
  }
  return toWorkspace(row, "owner");
}

/** The workspaces the caller sees, each with the caller's role in it. */
export async function listWorkspaces(db: Database, p: Principal): Promise<Workspace[]> {
  const visible = visibleWorkspaces(p);
  if (visible?.length === 0) return [];
  const rows = await db
    .select()
    .from(workspaces)
    .where(visible ? inList(workspaces.id, visible) : undefined)
    .orderBy(asc(workspaces.createdAt), asc(workspaces.id));
  return rows.flatMap((r) => {
    const role = roleIn(p, r.id);
    return role ? [toWorkspace(r, role)] : [];
  });
}

export async function getWorkspace(db: Database, id: string, p: Principal): Promise<Workspace> {
  const [row] = await db.select().from(workspaces).where(eq(workspaces.id, id));
  const role = row ? roleIn(p, row.id) : null;
  if (!row || !role) throw notFound("Workspace", id);
  return toWorkspace(row, role);
}

export async function workspaceExists(db: Database, id: string): Promise<boolean> {
  const [row] = await db
    .select({ id: workspaces.id })
    .from(workspaces)
    .where(eq(workspaces.id, id));
  return Boolean(row);
}

/** What a route's `{id}` names, for finding the workspace it belongs to. */
/** The tables of what a business holds, by kind. */
const ofBusinesses = { alert: alerts, suggestion: suggestions, delivery: deliveries };

export type Owned = "business" | "alert" | "suggestion" | "delivery" | "workspace";

/** The workspace that owns a business, alert, suggestion, delivery (or a workspace id itself). */
export async function workspaceOwning(
  db: Database,
  kind: Owned,
  id: string,
): Promise<string | undefined> {
  const w = { w: businesses.workspaceId };
  switch (kind) {
    case "business":
      return (await db.select(w).from(businesses).where(eq(businesses.id, id)))[0]?.w;
    case "alert":
    case "suggestion":
    case "delivery": {
      const table = ofBusinesses[kind];
      return (
        await db
          .select(w)
          .from(table as SQLiteTable)
          .innerJoin(businesses, eq(businesses.id, table.businessId))
          .where(eq(table.id, id))
      )[0]?.w;
    }
    case "workspace":
      return (await workspaceExists(db, id)) ? id : undefined;
  }
}
