import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { setToken } from "../../app/lib/session.server";
import * as alert_ from "../../app/routes/alert";
import * as alerts from "../../app/routes/alerts";
import * as business from "../../app/routes/business";
import * as ruleCheck from "../../app/routes/rule-check";
import * as suggestions from "../../app/routes/suggestions";
import { ADMIN, businessWithSource, call, createRule, ingest, settle } from "../helpers";

// The UI's loaders and actions, called as React Router calls them, against the real API worker.
const origin = "https://ui.test";
const context = {
  cloudflare: {
    env: { API: { fetch: (req: Request) => SELF.fetch(req) }, ASSETS: SELF },
    ctx: {},
  },
} as never;

async function cookie(token = ADMIN): Promise<string> {
  return (await setToken(token)).split(";")[0] ?? "";
}

async function get(path: string, token?: string | null) {
  const headers = new Headers();
  if (token !== null) headers.set("cookie", await cookie(token));
  return new Request(origin + path, { headers });
}

async function post(path: string, fields: Record<string, string>, from = origin) {
  return new Request(origin + path, {
    method: "POST",
    headers: { cookie: await cookie(), origin: from },
    body: new URLSearchParams(fields),
  });
}

/** Runs a loader or action; a thrown Response (redirect, refusal) is returned instead. */
async function run<T>(fn: () => Promise<T>): Promise<T | Response> {
  try {
    return await fn();
  } catch (thrown) {
    if (thrown instanceof Response) return thrown;
    throw thrown;
  }
}

describe("UI loaders and actions", () => {
  it("send a visitor without a session to sign in, keeping where they were going", async () => {
    const res = await run(async () =>
      alerts.loader({
        request: await get("/alerts?status=open", null),
        params: {},
        context,
      } as never),
    );
    expect(res).toBeInstanceOf(Response);
    expect((res as Response).status).toBe(302);
    expect((res as Response).headers.get("location")).toBe("/login?next=%2Falerts%3Fstatus%3Dopen");
  });

  it("sign out a session whose token the API no longer accepts", async () => {
    const res = await run(async () =>
      alerts.loader({ request: await get("/alerts", "wrong-token"), params: {}, context } as never),
    );
    expect((res as Response).headers.get("location")).toBe("/login");
  });

  it("refuse a form posted from another site", async () => {
    const { business: b } = await businessWithSource();
    const res = await run(async () =>
      business.action({
        request: await post(
          `/businesses/${b.id}`,
          { intent: "create-source", name: "x" },
          "https://evil.test",
        ),
        params: { id: b.id },
        context,
      } as never),
    );
    expect((res as Response).status).toBe(403);
    const sources = await call("GET", `/v1/businesses/${b.id}/sources`);
    expect(sources.json.items).toHaveLength(1);
  });

  it("business: creates a rule or answers the API's problems per field", async () => {
    const { business: b } = await businessWithSource();
    const args = async (fields: Record<string, string>) =>
      ({
        request: await post(`/businesses/${b.id}`, fields),
        params: { id: b.id },
        context,
      }) as never;
    const refused = await business.action(
      await args({
        intent: "create-rule",
        name: "Slow",
        kind: "immediate",
        condition: "durationMs >",
      }),
    );
    expect(refused.errors?.[0]?.path).toBe("condition");
    const created = await business.action(
      await args({
        intent: "create-rule",
        name: "Slow",
        kind: "immediate",
        condition: "durationMs > 5000",
        groupBy: "routeId",
      }),
    );
    expect(created).toEqual({ intent: "create-rule", token: undefined });
    const loaded = await business.loader({
      request: await get(`/businesses/${b.id}`),
      params: { id: b.id },
      context,
    } as never);
    expect(loaded.rules.map((r) => [r.name, r.kind, r.groupBy])).toEqual([
      ["Slow", "immediate", "routeId"],
    ]);
    expect(loaded.charts.map((c) => c.title)).toEqual(["Events", "avg(durationMs)"]);

    // Edit: a cleared "where" and "groupBy" are removed from the rule.
    const rule = loaded.rules[0];
    const edited = await business.action(
      await args({
        intent: "update-rule",
        ruleId: rule?.id ?? "",
        name: "Slower",
        kind: "immediate",
        condition: "durationMs > 9000",
        groupBy: "",
        where: "",
      }),
    );
    expect(edited.errors).toBeUndefined();
    const after = await call("GET", `/v1/businesses/${b.id}/rules/${rule?.id}`);
    expect(after.json).toMatchObject({ name: "Slower", condition: "durationMs > 9000" });
    expect(after.json.groupBy).toBeUndefined();
  });

  it("rule check: answers problems as the user types, and nothing is saved", async () => {
    const { business: b } = await businessWithSource();
    const check = async (fields: Record<string, string>) =>
      ruleCheck.action({
        request: await post(`/businesses/${b.id}/rules/check`, fields),
        params: { id: b.id },
        context,
      } as never);
    expect(
      await check({ kind: "aggregate", expression: "sum(durationMs) > 10", window: "day" }),
    ).toEqual({ ok: true, errors: [] });
    const bad = await check({ kind: "aggregate", expression: "sum(routeId) > 10", window: "day" });
    expect(bad.ok).toBe(false);
    expect(bad.errors[0]?.path).toBe("expression");
    expect((await call("GET", `/v1/businesses/${b.id}/rules`)).json.items).toEqual([]);
  });

  it("alerts: filter by business and status, acknowledge, and report a conflict", async () => {
    const { business: b, token } = await businessWithSource();
    await createRule(b.id, { name: "Slow", kind: "immediate", condition: "durationMs > 5000" });
    await ingest(b.id, token, { routeId: "A", durationMs: 9000 });
    await settle(b.id);
    const loaded = await alerts.loader({
      request: await get(`/alerts?businessId=${b.id}&status=open`),
      params: {},
      context,
    } as never);
    expect(loaded.filter).toEqual({ status: "open", severity: undefined, businessId: b.id });
    const [alert] = loaded.alerts.items;
    expect(alert?.summary).toBe("durationMs > 5000 (durationMs = 9000)");
    const act = async (intent: string) =>
      alerts.action({
        request: await post("/alerts", { intent, id: alert?.id ?? "" }),
        params: {},
        context,
      } as never);
    expect(await act("ack")).toEqual({ error: null });
    expect(await act("resolve")).toEqual({ error: null });
    expect((await act("ack")).error).toMatch(/already resolved/);

    const detail = await alert_.loader({
      request: await get(`/alerts/${alert?.id}`),
      params: { id: alert?.id ?? "" },
      context,
    } as never);
    expect(detail.alert.history.map((t) => t.type)).toEqual(["opened", "acknowledged", "resolved"]);
    expect(detail.business.id).toBe(b.id);

    const byRule = await alerts.loader({
      request: await get(`/alerts?businessId=${b.id}&status=resolved&ruleId=rul_other`),
      params: {},
      context,
    } as never);
    expect(byRule.rules.map((r) => r.name)).toEqual(["Slow"]);
    expect(byRule.alerts.items).toEqual([]);
  });

  it("business: filters recent events by a field's value", async () => {
    const { business: b, token } = await businessWithSource();
    await ingest(b.id, token, [
      { routeId: "A", durationMs: 1 },
      { routeId: "B", durationMs: 2 },
    ]);
    const loaded = await business.loader({
      request: await get(`/businesses/${b.id}?field=routeId&value=B`),
      params: { id: b.id },
      context,
    } as never);
    expect(loaded.events.items.map((e) => e.data.routeId)).toEqual(["B"]);
    expect(loaded.eventFilter).toEqual({ field: "routeId", value: "B" });
  });

  it("suggestions: run, then approve into a rule", async () => {
    const { business: b, token } = await businessWithSource();
    const start = Date.now() - 3 * 86_400_000;
    await ingest(
      b.id,
      token,
      Array.from({ length: 300 }, (_, i) => ({
        timestamp: start + i * 600_000,
        routeId: "A",
        durationMs: 100 + (i % 50),
      })),
    );
    const ran = await suggestions.action({
      request: await post("/suggestions", { intent: "run", id: b.id }),
      params: {},
      context,
    } as never);
    expect(ran).toMatchObject({ error: null, done: "Profile run finished." });
    const loaded = await suggestions.loader({
      request: await get(`/suggestions?businessId=${b.id}`),
      params: {},
      context,
    } as never);
    const section = loaded.sections[0];
    const range = section?.items.find((s) => s.rule.kind === "immediate");
    expect(range?.rule).toMatchObject({
      condition: expect.stringMatching(/^durationMs > \d+( \|\| durationMs < \d+)?$/),
    });
    const approved = await suggestions.action({
      request: await post("/suggestions", { intent: "approve", id: range?.id ?? "" }),
      params: {},
      context,
    } as never);
    expect(approved.done).toBe(`Rule “${range?.rule.name}” created.`);
    const again = await suggestions.action({
      request: await post("/suggestions", { intent: "approve", id: range?.id ?? "" }),
      params: {},
      context,
    } as never);
    expect(again.error).toMatch(/already approved/);
  });
});

describe("the channels page", () => {
  it("creates PagerDuty and ntfy channels from their own fields and sends a test notification", async () => {
    const channels = await import("../../app/routes/channels");
    const { receiverUrl, received } = await import("../helpers");
    const { business: b } = await businessWithSource();
    const path = `/ui-ntfy-${Date.now()}`;
    const page = `/businesses/${b.id}/channels`;
    const act = async (fields: Record<string, string>) =>
      channels.action({
        request: await post(page, fields),
        params: { id: b.id },
        context,
      } as never);
    expect(
      await act({
        intent: "create",
        type: "pagerduty",
        routingKey: "e93facc04764012d7bfb002500d5d1a6",
      }),
    ).toMatchObject({ intent: "create" });
    const made = await act({
      intent: "create",
      type: "ntfy",
      name: "phones",
      topic: "anom-ui",
      url: await receiverUrl(path),
      token: "",
    });
    expect(made.errors).toBeUndefined();
    const bad = await act({ intent: "create", type: "ntfy", topic: "no spaces allowed" });
    expect(bad.errors?.map((e) => e.path)).toEqual(["topic"]);
    const loaded = await channels.loader({
      request: await get(page),
      params: { id: b.id },
      context,
    } as never);
    const ntfy = loaded.channels.find((c) => c.type === "ntfy");
    expect(ntfy).toMatchObject({ name: "phones", topic: "anom-ui" });
    expect(loaded.channels.find((c) => c.type === "pagerduty")?.url).toBe(
      "https://events.pagerduty.com/v2/enqueue",
    );
    const tested = await act({ intent: "test", channelId: ntfy?.id ?? "" });
    expect(tested.test).toMatchObject({
      channelId: ntfy?.id,
      outcome: "delivered",
      statusCode: 200,
      type: "alert.opened",
    });
    const [got] = await received(path);
    expect(JSON.parse(got?.body ?? "{}")).toMatchObject({ topic: "anom-ui" });
    const resolved = await act({ intent: "test-resolve", channelId: ntfy?.id ?? "" });
    expect(resolved.test).toMatchObject({ outcome: "delivered", type: "alert.resolved" });
    const missing = await act({ intent: "test", channelId: "chn_nope" });
    expect(missing.detail).toMatch(/does not exist/);
  });
});
