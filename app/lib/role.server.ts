import type { UiEnv } from "../env";
import { apiClient } from "./api.server";
import { canEdit, type Role } from "./team";

const rank: Record<Role, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };

/**
 * Whether the signed-in caller may change what this page shows: their role in
 * the workspace of the business in the path, or their best role elsewhere.
 * The API enforces the same roles; this only keeps edit controls off the page.
 */
export async function mayEdit(env: UiEnv, token: string, url: URL): Promise<boolean> {
  const client = apiClient(env, token);
  const me = await client.v1.auth.me.$get();
  if (!me.ok) return false;
  const { type, workspaces } = await me.json();
  if (type === "owner") return true;
  const businessId = /^\/businesses\/([^/]+)/.exec(url.pathname)?.[1];
  if (businessId && businessId !== "new") {
    const res = await client.v1.businesses[":id"].$get({ param: { id: businessId } });
    if (!res.ok) return false;
    const { workspaceId } = await res.json();
    const role = workspaces.find((w) => w.id === workspaceId)?.role;
    return role ? canEdit(role) : false;
  }
  const best = workspaces.reduce<Role>((r, w) => (rank[w.role] > rank[r] ? w.role : r), "viewer");
  return canEdit(best);
}
