import type { Context, MiddlewareHandler, Next } from "hono";
import { DEFAULT_WORKSPACE_ID } from "../../../schema/tables/teams";
import { compact, diff, recordAudit } from "../../definitions/audit";
import { KEY_PREFIX, keyByToken } from "../../definitions/keys";
import { joinInvitedWorkspaces } from "../../definitions/members";
import { ensureUser, SESSION_PREFIX, sessionByToken, userById } from "../../definitions/people";
import type { Principal } from "../../definitions/principal";
import { actorOf, roleIn, rolesOf, visibleWorkspaces } from "../../definitions/principal";
import type { Owned } from "../../definitions/workspaces";
import { workspaceOwning } from "../../definitions/workspaces";
import { secretsEqual } from "../../lib/crypto";
import { forbidden, invalid, notFound, unauthorized } from "../../lib/errors";
import type { AppEnv } from "../context";
import { ACCESS_HEADER, accessConfig, verifyAccessJwt } from "./access";
import { bearerToken } from "./bearer";
import type { Match, Permission } from "./permissions";
import { matchPermission, roleRank } from "./permissions";

/** Who sent the request: admin token, API key, session token, or a Cloudflare Access JWT. */
export async function authenticate(c: Context<AppEnv>): Promise<Principal> {
  const db = c.var.db;
  const token = bearerToken(c.req.header("authorization"));
  if (token?.startsWith(KEY_PREFIX)) {
    const key = await keyByToken(db, token);
    if (!key) throw unauthorized("The API key is not valid (unknown, revoked or expired).");
    return {
      type: "key",
      id: key.id,
      name: key.name,
      workspaceId: key.workspaceId,
      role: key.role,
    };
  }
  if (token?.startsWith(SESSION_PREFIX)) {
    const session = await sessionByToken(db, token);
    if (!session) throw unauthorized("The session has ended; sign in again.");
    const user = await userById(db, session.userId);
    if (!user) throw unauthorized("The session has ended; sign in again.");
    return {
      type: "member",
      userId: session.userId,
      email: user.email,
      sessionId: session.id,
      roles: await rolesOf(db, session.userId),
    };
  }
  if (token) {
    const expected = c.env.ADMIN_TOKEN;
    if (expected && (await secretsEqual(token, expected))) return { type: "owner" };
    throw unauthorized("The token is not valid.");
  }
  const assertion = c.req.header(ACCESS_HEADER);
  const access = accessConfig(c.env);
  if (assertion && access) {
    const email = await verifyAccessJwt(assertion, access);
    if (!email) throw unauthorized("The Cloudflare Access token did not verify.");
    const user = await ensureUser(db, email);
    await joinInvitedWorkspaces(db, email, user.id);
    return {
      type: "member",
      userId: user.id,
      email,
      sessionId: null,
      roles: await rolesOf(db, user.id),
    };
  }
  throw unauthorized(
    "Send an admin token, API key or session token as 'Authorization: Bearer <token>'.",
  );
}

const described: Record<Owned, string> = {
  business: "Business",
  alert: "Alert",
  suggestion: "Suggestion",
  delivery: "Delivery",
  workspace: "Workspace",
};

/** The workspace a new business goes into: the body's, or the caller's only one. */
async function newBusinessWorkspace(c: Context<AppEnv>, p: Principal): Promise<string> {
  const body: unknown = await c.req.json().catch(() => undefined);
  const named =
    body && typeof body === "object" && "workspaceId" in body ? body.workspaceId : undefined;
  if (typeof named === "string") return named;
  if (p.type === "owner") return DEFAULT_WORKSPACE_ID;
  if (p.type === "key") return p.workspaceId;
  const mine = [...p.roles.keys()];
  if (mine.length === 1 && mine[0]) return mine[0];
  throw invalid("workspaceId", "is required: you belong to several workspaces (or none)");
}

/** The workspace the request acts in (undefined for lists and person routes); 404 when not the caller's. */
async function workspaceOf(
  c: Context<AppEnv>,
  match: Match,
  p: Principal,
): Promise<string | undefined> {
  const { scope } = match.permission;
  if (scope === "visible" || scope === "person" || scope === "public") return undefined;
  if (scope === "new-business") {
    const id = await newBusinessWorkspace(c, p);
    // A key's or member's workspaces exist (their rows cascade with it); only the owner may name any id.
    // The default workspace is made by migration 0005 and cannot be deleted.
    const found =
      p.type === "owner" && id !== DEFAULT_WORKSPACE_ID
        ? await workspaceOwning(c.var.db, "workspace", id)
        : id;
    if (!found || !roleIn(p, found)) throw notFound("Workspace", id);
    return found;
  }
  const id = match.params.id ?? "";
  const found = await workspaceOwning(c.var.db, scope, id);
  if (!found || !roleIn(p, found)) throw notFound(described[scope], id);
  return found;
}

function assertRole(p: Principal, permission: Permission, workspaceId: string | undefined) {
  if (permission.scope === "person") {
    if (p.type === "key") throw forbidden("API keys cannot use this route; sign in as a person.");
    return;
  }
  if (workspaceId === undefined) return;
  const role = roleIn(p, workspaceId);
  if (!role || roleRank[role] < roleRank[permission.role]) {
    throw forbidden(
      `This needs the ${permission.role} role in the workspace; the caller has ${role}.`,
    );
  }
}

/** A GET of the same URL as the caller: the target as it was before the change. */
async function snapshot(c: Context<AppEnv>, app: AppLike): Promise<unknown> {
  const headers = new Headers();
  for (const h of ["authorization", ACCESS_HEADER]) {
    const v = c.req.header(h);
    if (v) headers.set(h, v);
  }
  const res = await app.request(new Request(c.req.url, { headers }), undefined, c.env);
  return res.ok ? res.json() : undefined;
}

/** The API app itself (its `request`), for the snapshot GET. */
interface AppLike {
  request(input: Request, init: undefined, env: Env): Response | Promise<Response>;
}

async function audit(
  c: Context<AppEnv>,
  match: Match,
  p: Principal,
  workspaceId: string | undefined,
  before: unknown,
) {
  const spec = match.permission.audit;
  if (!spec || c.res.status >= 300) return;
  const after: unknown =
    c.res.status === 204
      ? undefined
      : await c.res
          .clone()
          .json()
          .catch(() => undefined);
  const afterId =
    after && typeof after === "object" && "id" in after && typeof after.id === "string"
      ? after.id
      : undefined;
  const targetId = (spec.param ? match.params[spec.param] : afterId) ?? "";
  const method = c.req.method;
  const body: unknown = method === "DELETE" ? undefined : await c.req.json().catch(() => undefined);
  const detail =
    before !== undefined && method !== "DELETE"
      ? { changes: diff(before, after) }
      : before !== undefined
        ? { before: compact(before) }
        : spec.param
          ? { request: compact(body) }
          : { created: compact(after) };
  // A new workspace's first entry is in the workspace itself.
  const inWorkspace = workspaceId ?? afterId;
  if (!inWorkspace) return;
  await recordAudit(c.var.db, {
    workspaceId: inWorkspace,
    actor: actorOf(p),
    action: spec.action,
    target: { type: spec.action.split(".")[0] ?? "", id: targetId },
    detail,
  });
}

/**
 * The one gate of the management API: authenticates the caller, finds the
 * workspace the route acts in (404 when it is not the caller's, exactly as if
 * it did not exist), checks the role the route needs (403), and records an
 * audit entry for every successful change.
 */
export function gate(app: AppLike): MiddlewareHandler<AppEnv> {
  return async (c: Context<AppEnv>, next: Next) => {
    const method = c.req.method === "HEAD" ? "GET" : c.req.method;
    const match = matchPermission(method, c.req.path);
    if (match?.permission.scope === "public") return next();
    const principal = await authenticate(c);
    c.set("principal", principal);
    c.set("visible", visibleWorkspaces(principal));
    if (!match) return next();
    const workspaceId = await workspaceOf(c, match, principal);
    assertRole(principal, match.permission, workspaceId);
    c.set("workspaceId", workspaceId);
    c.set("role", workspaceId ? (roleIn(principal, workspaceId) ?? undefined) : undefined);
    const before = match.permission.audit?.twin ? await snapshot(c, app) : undefined;
    await next();
    await audit(c, match, principal, workspaceId, before);
  };
}
