import { beforeAll, describe, expect, it } from "vitest";
import { api, businessWithSource, createRule, expectStatus, raw, send } from "../helpers";
import type { Op } from "../openapi";
import { fill, label, managementOps, problemOf, validBody } from "../openapi";
import { key, workspace } from "../teams/support";

/**
 * Checks every management route of /openapi.json shares: 401 without a token,
 * 404 for another parent's ids, and RFC 9457 problem details for both. A route
 * added to the API is in the document, so it is checked too.
 */

type Fixtures = Record<string, string>;
let ops: Op[] = [];
const a: Fixtures = {};
const b: Fixtures = {};

/** Fixtures for a path: the target of `/v1/alerts/{id}` is an alert, of `/v1/workspaces/{id}` a workspace… */
function fixturesFor(path: string, fx: Fixtures): Fixtures {
  const parent = path.split("/")[2] ?? "";
  const id: Record<string, string | undefined> = {
    alerts: fx.alert,
    suggestions: fx.suggestion,
    deliveries: fx.delivery,
    workspaces: fx.workspace,
    businesses: fx.business,
  };
  return { ...fx, id: id[parent] ?? fx.business ?? "" };
}

/** A business with one of everything a business route names by id. */
async function businessFixtures(fx: Fixtures, workspaceId: string, tag: string) {
  const { business, sourceId } = await businessWithSource({ workspaceId });
  fx.business = business.id;
  fx.sourceId = sourceId;
  fx.template = "jobs";
  fx.ruleId = (
    await createRule(business.id, { name: "slow", kind: "immediate", condition: "durationMs > 1" })
  ).id;
  // A field only this business has: the same name under the other business is not found.
  fx.name = `only_${tag}`;
  const field = await send(
    api.v1.businesses[":id"].fields.$post({
      param: { id: business.id },
      json: { name: fx.name, type: "string" },
    }),
  );
  expectStatus(field, 201);
  const channel = await send(
    api.v1.businesses[":id"].channels.$post({
      param: { id: business.id },
      json: { type: "email", to: "ops@example.com" },
    }),
  );
  expectStatus(channel, 201);
  fx.channelId = channel.json.id;
  const silence = await send(
    api.v1.businesses[":id"].silences.$post({
      param: { id: business.id },
      json: { matchers: { groupKey: "x" }, endsAt: new Date(Date.now() + 3600_000).toISOString() },
    }),
  );
  expectStatus(silence, 201);
  fx.silenceId = silence.json.id;
  fx.workspace = workspaceId;
  fx.keyId = (await key(workspaceId, "viewer")).id;
  const member = await send(
    api.v1.workspaces[":id"].members.$post({
      param: { id: workspaceId },
      json: { email: `member.${tag}.${Date.now()}@example.com`, role: "viewer" },
    }),
  );
  expectStatus(member, 201);
  fx.memberId = member.json.id;
}

beforeAll(async () => {
  ops = await managementOps();
  await businessFixtures(a, (await workspace()).id, "a");
  await businessFixtures(b, (await workspace()).id, "b");
  a.alert = b.alert = `alt_${Date.now()}`;
  a.suggestion = b.suggestion = `sug_${Date.now()}`;
  a.delivery = b.delivery = `dlv_${Date.now()}`;
}, 60_000);

/** The path parameters besides the parent's `{id}`. */
const childParams = (path: string) =>
  [...path.matchAll(/\{(\w+)\}/g)].map((m) => m[1] ?? "").filter((p) => p !== "id");

describe("every management route, from the OpenAPI document", { timeout: 120_000 }, () => {
  it("answers 401 with problem details without a token", async () => {
    expect(ops.length).toBeGreaterThan(50);
    for (const op of ops) {
      const path = fill(op.path, fixturesFor(op.path, a));
      const res = await raw(op.method, path, { token: null, body: validBody(op, a) });
      expect(res.status, label(op)).toBe(401);
      expect(problemOf(res), label(op)).toEqual({
        contentType: "application/problem+json",
        type: true,
        title: true,
        status: 401,
        detail: true,
      });
    }
  });

  it("answers 401 to a token it does not know", async () => {
    for (const op of ops) {
      const path = fill(op.path, fixturesFor(op.path, a));
      const res = await raw(op.method, path, { token: "not-a-token", body: validBody(op, a) });
      expect(res.status, label(op)).toBe(401);
      expect(problemOf(res).contentType, label(op)).toBe("application/problem+json");
    }
  });

  it("answers 404 with problem details to one parent's ids under another's path, both ways", async () => {
    // Deletes last, so every other route still finds its target.
    const nested = ops
      .filter((op) => op.path.includes("{id}") && childParams(op.path).length > 0)
      .sort((x, y) => Number(x.method === "DELETE") - Number(y.method === "DELETE"));
    expect(nested.length).toBeGreaterThan(10);
    for (const op of nested) {
      for (const [parent, child] of [
        [a, b],
        [b, a],
      ] as const) {
        const fx = fixturesFor(op.path, parent);
        for (const p of childParams(op.path)) {
          if (p !== "template") fx[p] = child[p] ?? "";
        }
        const res = await raw(op.method, fill(op.path, fx), { body: validBody(op, parent) });
        const why = `${label(op)}: ${res.status} ${JSON.stringify(res.json)}`;
        expect(res.status, why).toBe(404);
        expect(problemOf(res), why).toEqual({
          contentType: "application/problem+json",
          type: true,
          title: true,
          status: 404,
          detail: true,
        });
      }
    }
  });

  it("answers 404 with problem details to ids that do not exist", async () => {
    for (const op of ops.filter((o) => o.path.includes("{"))) {
      const fx = Object.fromEntries(
        [...op.path.matchAll(/\{(\w+)\}/g)].map((m) => [m[1], `missing_${m[1]}`]),
      );
      if (op.path.includes("{template}")) continue;
      const res = await raw(op.method, fill(op.path, fx), { body: validBody(op, a) });
      const why = `${label(op)}: ${res.status} ${JSON.stringify(res.json)}`;
      expect(res.status, why).toBe(404);
      expect(problemOf(res).contentType, why).toBe("application/problem+json");
    }
  });
});
