import type { Context } from "hono";
import type { Role } from "../../../schema/tables/teams";
import { roleIn } from "../../definitions/principal";
import { notFound } from "../../lib/errors";
import type { AppEnv } from "../context";

/** The workspaces a list covers: the one asked for (when the caller sees it) or all the caller sees. */
export function listScope(c: Context<AppEnv>, workspaceId: string | undefined): string[] | null {
  if (workspaceId === undefined) return c.var.visible;
  if (!roleIn(c.var.principal, workspaceId)) throw notFound("Workspace", workspaceId);
  return [workspaceId];
}

/** The workspace and role the gate resolved for a workspace route. */
export function workspaceContext(c: Context<AppEnv>): { workspaceId: string; role: Role } {
  const { workspaceId, role } = c.var;
  // The gate sets both for every route whose scope names a workspace; reaching here without is a wiring bug.
  if (!workspaceId || !role) throw new Error(`no workspace resolved for ${c.req.path}`);
  return { workspaceId, role };
}
