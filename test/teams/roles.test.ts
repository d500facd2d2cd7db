import { env, SELF } from "cloudflare:test";
import { beforeAll, describe, expect, it } from "vitest";
import { matchPermission, roleRank } from "../../workers/api/auth/permissions";
import {
  alertsOf,
  api,
  businessWithSource,
  createChannel,
  createRule,
  createSilence,
  expectStatus,
  ingest,
  problemOf,
  raw,
  send,
} from "../helpers";
import type { Op } from "../openapi";
import { label, managementOps, validBody } from "../openapi";
import { key, workspace } from "./support";

/**
 * Every management route of /openapi.json, tried with a key of each role of
 * the workspace that owns the target and with an admin key of another
 * workspace. A route added to the API is in the document, so it is tried too;
 * a route missing from the permission map fails the first test.
 */

type KeyRole = "viewer" | "editor" | "admin";

const secret = `Secretcorp${Date.now().toString(36)}`;
let ops: Op[] = [];
const fx: Record<string, string> = {};
const tokens: Record<KeyRole | "other", string> = { viewer: "", editor: "", admin: "", other: "" };
let n = 0;

/** A valid body for each route that takes one; a renamed rule keeps the secret in its name. */
const bodyOf = (op: Op) =>
  label(op) === "PATCH /v1/businesses/{id}/rules/{ruleId}"
    ? { name: `${secret} rule ${++n}` }
    : validBody(op, fx);

/** Routes that remove their target (a run replaces pending suggestions): tried once, last, deepest path first. */
const removes = (op: Op) =>
  op.method === "DELETE" || op.path.endsWith("/forget") || op.path.endsWith("/suggestions/run");

function concrete(path: string): string {
  const id = path.startsWith("/v1/alerts/")
    ? fx.alert
    : path.startsWith("/v1/suggestions/")
      ? fx.suggestion
      : path.startsWith("/v1/deliveries/")
        ? fx.delivery
        : path.startsWith("/v1/workspaces/")
          ? fx.workspace
          : fx.business;
  return path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = name === "id" ? id : fx[name];
    if (!value) throw new Error(`no fixture for {${name}} in ${path}`);
    return value;
  });
}

/** Calls a route taken from the document (so outside the typed client) with a valid body. */
async function attempt(op: Op, token: string) {
  return raw(op.method, concrete(op.path), { token, body: bodyOf(op) });
}

beforeAll(async () => {
  ops = await managementOps();

  const a = await workspace(`${secret} workspace`);
  const b = await workspace();
  fx.workspace = a.id;
  const { business, token, sourceId } = await businessWithSource({
    name: `${secret} business`,
    workspaceId: a.id,
  });
  fx.business = business.id;
  fx.sourceId = sourceId;
  fx.name = "status";
  fx.template = "jobs";
  fx.ruleId = (
    await createRule(business.id, {
      name: `${secret} rule`,
      kind: "immediate",
      condition: "durationMs > 5000",
    })
  ).id;
  const channel = await createChannel(business.id, { type: "email", to: "ops@example.com" });
  fx.channelId = channel.id;
  const silence = await createSilence(business.id, {
    matchers: { groupKey: "nothing" },
    endsAt: new Date(Date.now() + 3600_000).toISOString(),
  });
  fx.silenceId = silence.id;
  expect((await ingest(business.id, token, { routeId: "R1", durationMs: 9000 })).status).toBe(202);
  const [alert] = await alertsOf(business.id);
  fx.alert = alert?.id ?? "";
  fx.suggestion = `sug_${Date.now()}`;
  fx.delivery = `dlv_${Date.now()}`;
  await env.DB.batch([
    env.DB.prepare(
      `insert into suggestions (id, business_id, fingerprint, rule, rationale, evidence) values (?, ?, 'fp', ?, 'because', '{}')`,
    ).bind(
      fx.suggestion,
      business.id,
      JSON.stringify({ name: "Suggested", kind: "immediate", condition: "durationMs > 7000" }),
    ),
    env.DB.prepare(
      `insert into deliveries (id, business_id, channel_id, alert_id, transition_id, event_type, attempt, outcome) values (?, ?, ?, ?, 'tr', 'alert.opened', 1, 'failed')`,
    ).bind(fx.delivery, business.id, fx.channelId, fx.alert),
  ]);
  for (const role of ["viewer", "editor", "admin"] as const) {
    tokens[role] = (await key(a.id, role)).token;
  }
  tokens.other = (await key(b.id, "admin")).token;
  fx.keyId = (await key(a.id, "viewer")).id;
  const member = await send(
    api.v1.workspaces[":id"].members.$post({
      param: { id: a.id },
      json: { email: `target.${Date.now()}@example.com`, role: "viewer" },
    }),
  );
  expectStatus(member, 201);
  fx.memberId = member.json.id;
}, 60_000);

describe("every management route, from the OpenAPI document", { timeout: 120_000 }, () => {
  it("has a permission for every documented route", () => {
    expect(ops.length).toBeGreaterThan(50);
    const missing = ops.filter((op) => !matchPermission(op.method, op.path)).map(label);
    expect(missing).toEqual([]);
  });

  it("answers 404 to a key of another workspace, and never shows it a name", async () => {
    for (const op of ops) {
      const scope = matchPermission(op.method, op.path)?.permission.scope;
      const res = await attempt(op, tokens.other);
      const text = JSON.stringify(res.json ?? "");
      expect(text, label(op)).not.toContain(secret);
      if (scope === "person") expect(res.status, label(op)).toBe(403);
      else if (scope === "visible") expect(res.status, label(op)).toBe(200);
      else expect(res.status, `${label(op)}: ${text}`).toBe(404);
    }
  });

  it("answers 403 to a key whose role is too low, before looking at the body", async () => {
    for (const op of ops) {
      const permission = matchPermission(op.method, op.path)?.permission;
      for (const role of ["viewer", "editor", "admin"] as const) {
        if (!permission) continue;
        const denied = permission.scope === "person" || roleRank[role] < roleRank[permission.role];
        if (!denied) continue;
        const res = await attempt(op, tokens[role]);
        expect(res.status, `${label(op)} as ${role}: ${JSON.stringify(res.json)}`).toBe(403);
        expect(problemOf(res).title).toBe("Forbidden");
      }
    }
  });

  it("lets every role at or above the route's role through", async () => {
    const allowed = (op: Op) => {
      const p = matchPermission(op.method, op.path)?.permission;
      return (["viewer", "editor", "admin"] as const).filter(
        (r) => p && p.scope !== "person" && roleRank[r] >= roleRank[p.role],
      );
    };
    for (const op of ops.filter((o) => !removes(o))) {
      for (const role of allowed(op)) {
        const res = await attempt(op, tokens[role]);
        const why = `${label(op)} as ${role}: ${res.status} ${JSON.stringify(res.json)}`;
        if (op.method === "GET") expect(res.status, why).toBe(200);
        else expect([401, 403, 404].includes(res.status) || res.status >= 500, why).toBe(false);
      }
    }
    const last = ops.filter(removes).sort((x, y) => y.path.length - x.path.length);
    for (const op of last) {
      const [role] = allowed(op);
      if (!role) continue;
      const res = await attempt(op, tokens[role]);
      expect(res.status, `${label(op)} as ${role}: ${JSON.stringify(res.json)}`).toBeLessThan(300);
    }
  });

  it("refuses the live socket of another workspace's business with 404", async () => {
    const { business } = await businessWithSource({ name: `${secret} live` });
    const res = await SELF.fetch(`http://anom.test/v1/businesses/${business.id}/live`, {
      headers: { upgrade: "websocket", authorization: `Bearer ${tokens.other}` },
    });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain(secret);
  });
});
