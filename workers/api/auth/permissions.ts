import type { Role } from "../../../schema/tables/teams";

/**
 * How a route finds the workspace it acts in:
 * - business / alert / suggestion / delivery / workspace: from the `{id}` in its path;
 * - visible: a list over every workspace the caller sees (or `?workspaceId=`);
 * - new-business: the body's `workspaceId`, or the caller's own workspace;
 * - person: no workspace; any signed-in person or the instance owner, never a key;
 * - public: no credentials at all (signing in, accepting an invitation).
 */
export type Scope =
  | "business"
  | "alert"
  | "suggestion"
  | "delivery"
  | "workspace"
  | "visible"
  | "new-business"
  | "person"
  | "public";

export interface Audit {
  /** `<target>.<verb>`, e.g. `rule.update`. */
  action: string;
  /** The path parameter naming the target; omitted: the created object's `id`. */
  param?: string;
  /** A GET of the same path shows the target before the change (for the diff). */
  twin?: boolean;
}

export interface Permission {
  role: Role;
  scope: Scope;
  audit?: Audit;
}

const read = (scope: Scope): Permission => ({ role: "viewer", scope });
const edit = (scope: Scope, action: string, param?: string, twin = false): Permission => ({
  role: "editor",
  scope,
  audit: { action, param, twin },
});
const manage = (action: string, param?: string): Permission => ({
  role: "admin",
  scope: "workspace",
  audit: { action, param },
});

/**
 * Every management route and the least role it needs: the one place roles are
 * enforced. Keyed by `METHOD path` as the OpenAPI document spells the path; a
 * test fails when a documented route is missing here.
 */
export const permissions: Record<string, Permission> = {
  "GET /v1/templates": read("visible"),
  "POST /v1/templates/{template}/businesses": edit("new-business", "business.create"),
  "GET /v1/businesses": read("visible"),
  "GET /v1/businesses/summary": read("visible"),
  "POST /v1/businesses": edit("new-business", "business.create"),
  "GET /v1/businesses/{id}": read("business"),
  "PATCH /v1/businesses/{id}": edit("business", "business.update", "id", true),
  "DELETE /v1/businesses/{id}": edit("business", "business.delete", "id", true),
  "GET /v1/businesses/{id}/live": read("business"),
  "GET /v1/businesses/{id}/status": read("business"),
  "GET /v1/businesses/{id}/groups": read("business"),

  "POST /v1/businesses/{id}/fields": edit("business", "field.create"),
  "PATCH /v1/businesses/{id}/fields/{name}": edit("business", "field.update", "name"),
  "DELETE /v1/businesses/{id}/fields/{name}": edit("business", "field.delete", "name"),

  "GET /v1/businesses/{id}/sources": read("business"),
  "POST /v1/businesses/{id}/sources": edit("business", "source.create"),
  "DELETE /v1/businesses/{id}/sources/{sourceId}": edit("business", "source.revoke", "sourceId"),

  "GET /v1/businesses/{id}/events": read("business"),
  "POST /v1/businesses/{id}/events": edit("business", "event.create", "id"),
  "GET /v1/businesses/{id}/series": read("business"),

  "GET /v1/businesses/{id}/rules": read("business"),
  "POST /v1/businesses/{id}/rules": edit("business", "rule.create"),
  "POST /v1/businesses/{id}/rules/check": read("business"),
  "POST /v1/businesses/{id}/rules/backtest": { role: "editor", scope: "business" },
  "GET /v1/businesses/{id}/rules/{ruleId}": read("business"),
  "GET /v1/businesses/{id}/rules/{ruleId}/band": read("business"),
  "PATCH /v1/businesses/{id}/rules/{ruleId}": edit("business", "rule.update", "ruleId", true),
  "DELETE /v1/businesses/{id}/rules/{ruleId}": edit("business", "rule.delete", "ruleId", true),

  "GET /v1/businesses/{id}/channels": read("business"),
  "POST /v1/businesses/{id}/channels": edit("business", "channel.create"),
  "GET /v1/businesses/{id}/channels/{channelId}": read("business"),
  "PATCH /v1/businesses/{id}/channels/{channelId}": edit(
    "business",
    "channel.update",
    "channelId",
    true,
  ),
  "DELETE /v1/businesses/{id}/channels/{channelId}": edit(
    "business",
    "channel.delete",
    "channelId",
    true,
  ),
  "POST /v1/businesses/{id}/channels/{channelId}/test": edit(
    "business",
    "channel.test",
    "channelId",
  ),

  "GET /v1/businesses/{id}/silences": read("business"),
  "POST /v1/businesses/{id}/silences": edit("business", "silence.create"),
  "GET /v1/businesses/{id}/silences/{silenceId}": read("business"),
  "PATCH /v1/businesses/{id}/silences/{silenceId}": edit(
    "business",
    "silence.update",
    "silenceId",
    true,
  ),
  "DELETE /v1/businesses/{id}/silences/{silenceId}": edit(
    "business",
    "silence.delete",
    "silenceId",
    true,
  ),

  "GET /v1/businesses/{id}/deliveries": read("business"),
  "POST /v1/deliveries/{id}/resend": edit("delivery", "delivery.resend", "id"),

  "GET /v1/businesses/{id}/view": read("business"),
  "PUT /v1/businesses/{id}/view": edit("business", "view.update", "id", true),

  "GET /v1/businesses/{id}/suggestions": read("business"),
  "POST /v1/businesses/{id}/suggestions/run": edit("business", "suggestions.run", "id"),
  "POST /v1/suggestions/{id}/approve": edit("suggestion", "suggestion.approve", "id"),
  "POST /v1/suggestions/{id}/reject": edit("suggestion", "suggestion.reject", "id"),

  "GET /v1/alerts": read("visible"),
  "GET /v1/alerts/{id}": read("alert"),
  "POST /v1/alerts/{id}/ack": edit("alert", "alert.acknowledge", "id"),
  "POST /v1/alerts/{id}/resolve": edit("alert", "alert.resolve", "id"),
  "POST /v1/alerts/{id}/snooze": edit("alert", "alert.snooze", "id"),
  "POST /v1/alerts/{id}/forget": edit("alert", "alert.forget", "id"),

  "GET /v1/workspaces": read("visible"),
  "POST /v1/workspaces": { role: "viewer", scope: "person", audit: { action: "workspace.create" } },
  "GET /v1/workspaces/{id}": read("workspace"),
  "GET /v1/workspaces/{id}/keys": { role: "admin", scope: "workspace" },
  "POST /v1/workspaces/{id}/keys": manage("key.create"),
  "DELETE /v1/workspaces/{id}/keys/{keyId}": manage("key.revoke", "keyId"),
  "GET /v1/workspaces/{id}/members": read("workspace"),
  "POST /v1/workspaces/{id}/members": manage("member.invite"),
  "PATCH /v1/workspaces/{id}/members/{memberId}": manage("member.update", "memberId"),
  "DELETE /v1/workspaces/{id}/members/{memberId}": manage("member.remove", "memberId"),
  "GET /v1/workspaces/{id}/audit": read("workspace"),

  "POST /v1/auth/sign-in": { role: "viewer", scope: "public" },
  "POST /v1/auth/accept-invite": { role: "viewer", scope: "public" },
  "GET /v1/auth/me": { role: "viewer", scope: "person" },
  "POST /v1/auth/rotate": { role: "viewer", scope: "person" },
  "POST /v1/auth/sign-out": { role: "viewer", scope: "person" },
  "POST /v1/auth/sign-out-everywhere": { role: "viewer", scope: "person" },
};

export const roleRank: Record<Role, number> = { viewer: 0, editor: 1, admin: 2, owner: 3 };

interface Compiled {
  key: string;
  method: string;
  pattern: RegExp;
  names: string[];
}

const compiled: Compiled[] = Object.keys(permissions).map((key) => {
  const [method = "", path = ""] = key.split(" ");
  const names: string[] = [];
  const source = path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    names.push(name);
    return "([^/]+)";
  });
  return { key, method, pattern: new RegExp(`^${source}/?$`), names };
});

/** A path segment decoded; a malformed escape stays as sent (it then names nothing: 404). */
function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

export interface Match {
  permission: Permission;
  params: Record<string, string>;
}

/** The permission of the route a request goes to; a literal segment beats a parameter. */
export function matchPermission(method: string, path: string): Match | undefined {
  let best: { c: Compiled; values: string[] } | undefined;
  for (const c of compiled) {
    if (c.method !== method) continue;
    const m = c.pattern.exec(path);
    if (!m) continue;
    if (!best || c.names.length < best.c.names.length) best = { c, values: m.slice(1) };
  }
  if (!best) return undefined;
  const params: Record<string, string> = {};
  best.c.names.forEach((name, i) => {
    params[name] = safeDecode(best?.values[i] ?? "");
  });
  const permission = permissions[best.c.key];
  return permission ? { permission, params } : undefined;
}
