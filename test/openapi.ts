import { z } from "zod";
import { matchPermission } from "../workers/api/auth/permissions";
import { raw } from "./helpers";

/** One operation of the OpenAPI document. */
export interface Op {
  method: string;
  path: string;
}

export const label = (op: Op) => `${op.method} ${op.path}`;

/** The part of the OpenAPI document read here, checked as it is read. */
const Document = z.object({
  paths: z.record(
    z.string(),
    z.record(
      z.string(),
      z.object({ security: z.array(z.record(z.string(), z.array(z.string()))).optional() }),
    ),
  ),
});

/**
 * Every management operation of /openapi.json that needs a caller: /v1 routes
 * but the ways in that take a source token instead (ingest, CloudEvents, OTLP)
 * and the public ones (sign-in, invitations). A route added to the API is in
 * the document, so the tests that iterate these cover it too.
 */
export async function managementOps(): Promise<Op[]> {
  const res = await raw("GET", "/openapi.json", { token: null });
  const doc = Document.parse(res.json);
  const ops: Op[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      const bySourceToken = operation.security?.some((s) => "sourceToken" in s) ?? false;
      if (!path.startsWith("/v1/") || bySourceToken) continue;
      ops.push({ method: method.toUpperCase(), path });
    }
  }
  return ops.filter((op) => matchPermission(op.method, op.path)?.permission.scope !== "public");
}

/** Fills a path's parameters from fixtures: `{id}` from `id`, the others by name. */
export function fill(path: string, fx: Record<string, string | undefined>): string {
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = fx[name];
    if (!value) throw new Error(`no fixture for {${name}} in ${path}`);
    return value;
  });
}

let n = 0;
const unique = (label: string) => `${label} ${Date.now().toString(36)}-${++n}`;

/**
 * A valid body for each route that takes one (unique where a name must be), so
 * a refusal is about the caller or the target, never about the body.
 */
export function validBody(op: Op, fx: { workspace?: string | undefined } = {}): unknown {
  const bodies: Record<string, () => unknown> = {
    "POST /v1/businesses": () => ({ name: unique("biz"), workspaceId: fx.workspace }),
    "POST /v1/templates/{template}/businesses": () => ({
      name: unique("jobs"),
      workspaceId: fx.workspace,
    }),
    "PATCH /v1/businesses/{id}": () => ({ description: `changed ${++n}` }),
    "POST /v1/businesses/{id}/fields": () => ({ name: `extra_${++n}`, type: "string" }),
    "PATCH /v1/businesses/{id}/fields/{name}": () => ({ description: `d${++n}` }),
    "POST /v1/businesses/{id}/sources": () => ({ name: unique("src") }),
    "POST /v1/businesses/{id}/events": () => ({ events: [{ routeId: "A", durationMs: 1 }] }),
    "POST /v1/businesses/{id}/rules": () => ({
      name: unique("rule"),
      kind: "immediate",
      condition: "durationMs > 1",
    }),
    "POST /v1/businesses/{id}/rules/check": () => ({
      name: "c",
      kind: "immediate",
      condition: "durationMs > 1",
    }),
    "POST /v1/businesses/{id}/rules/backtest": () => ({
      rule: { name: "b", kind: "immediate", condition: "durationMs > 1" },
    }),
    "PATCH /v1/businesses/{id}/rules/{ruleId}": () => ({ name: unique("rule") }),
    "POST /v1/businesses/{id}/channels": () => ({ type: "email", to: "ops@example.com" }),
    "PATCH /v1/businesses/{id}/channels/{channelId}": () => ({ name: `ch ${++n}` }),
    "POST /v1/businesses/{id}/silences": () => ({
      matchers: { groupKey: "A" },
      endsAt: new Date(Date.now() + 3600_000).toISOString(),
    }),
    "PATCH /v1/businesses/{id}/silences/{silenceId}": () => ({ comment: `c${++n}` }),
    "PUT /v1/businesses/{id}/view": () => ({ charts: [] }),
    "POST /v1/alerts/{id}/snooze": () => ({ for: "1h" }),
    "POST /v1/workspaces": () => ({ name: unique("ws") }),
    "POST /v1/workspaces/{id}/keys": () => ({ name: unique("k"), role: "viewer" }),
    "POST /v1/workspaces/{id}/members": () => ({
      email: `m${++n}.${Date.now()}@example.com`,
      role: "viewer",
    }),
    "PATCH /v1/workspaces/{id}/members/{memberId}": () => ({ role: "editor" }),
  };
  return bodies[label(op)]?.();
}

/** Asserts an RFC 9457 problem document: the envelope and its content type. */
export function problemOf(res: { status: number; headers: Headers; json: unknown }) {
  const body = (res.json ?? {}) as Record<string, unknown>;
  return {
    contentType: res.headers.get("content-type"),
    type: typeof body.type === "string" && body.type.startsWith("https://"),
    title: typeof body.title === "string" && body.title !== "",
    status: body.status,
    detail: typeof body.detail === "string" && body.detail !== "",
  };
}
