import { SELF } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { setToken } from "../../app/lib/session.server";
import * as alert_ from "../../app/routes/alert";
import * as alerts from "../../app/routes/alerts";
import * as charts from "../../app/routes/business/charts";
import * as events from "../../app/routes/business/events";
import * as layout from "../../app/routes/business/layout";
import * as overview from "../../app/routes/business/overview";
import * as rules from "../../app/routes/business/rules";
import * as settings from "../../app/routes/business/settings";
import * as sourcesTab from "../../app/routes/business/sources";
import * as ruleCheck from "../../app/routes/rule-check";
import * as suggestions from "../../app/routes/suggestions";
import {
  ADMIN,
  alertsOf,
  api,
  bodyOf,
  businessWithSource,
  createRule,
  ingest,
  send,
  settle,
} from "../helpers";

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

/** A business with two days of a room's temperature every 10 minutes, around 21 °C. */
async function roomHistory(timezone: string) {
  const made = await businessWithSource({
    timezone,
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "room", type: "string" },
      { name: "temperature", type: "number", unit: "°C" },
    ],
  });
  const start = Date.now() - 2 * 86_400_000;
  await ingest(
    made.business.id,
    made.token,
    Array.from({ length: 288 }, (_, i) => ({
      timestamp: start + i * 600_000,
      room: "lab",
      temperature: 21 + Math.sin(i / 9) * 0.5,
    })),
  );
  return made;
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
    expect((res as Response).headers.get("location")).toBe(
      "/sign-in?next=%2Falerts%3Fstatus%3Dopen",
    );
  });

  it("sign out a session whose token the API no longer accepts", async () => {
    const res = await run(async () =>
      alerts.loader({ request: await get("/alerts", "wrong-token"), params: {}, context } as never),
    );
    expect((res as Response).headers.get("location")).toBe("/sign-in");
  });

  it("refuse a form posted from another site", async () => {
    const { business: b } = await businessWithSource();
    const res = await run(async () =>
      sourcesTab.action({
        request: await post(
          `/businesses/${b.id}/sources`,
          { intent: "create-source", name: "x" },
          "https://evil.test",
        ),
        params: { id: b.id },
        context,
      } as never),
    );
    expect((res as Response).status).toBe(403);
    const sources = await send(api.v1.businesses[":id"].sources.$get({ param: { id: b.id } }));
    expect(bodyOf(sources, 200).items).toHaveLength(1);
  });

  it("rules tab: creates a rule or answers the API's problems per field, with no cast in between", async () => {
    const { business: b } = await businessWithSource();
    const args = async (fields: Record<string, string>) =>
      ({
        request: await post(`/businesses/${b.id}/rules`, fields),
        params: { id: b.id },
        context,
      }) as never;
    const refused = await rules.action(
      await args({
        intent: "create-rule",
        name: "Slow",
        kind: "immediate",
        condition: "durationMs >",
      }),
    );
    expect(refused.errors[0]).toEqual({
      path: "condition",
      message: "is not finished: something is missing at the end",
    });
    const unknown = await rules.action(
      await args({
        intent: "create-rule",
        name: "Slow",
        kind: "immediate",
        condition: "amount > 3",
      }),
    );
    expect(unknown.errors[0]).toEqual({
      path: "condition",
      message: "there is no field “amount” in this business (at character 1)",
    });
    // The contract's own schema refuses a body before it is sent, per field, in plain words.
    const unknownKind = await rules.action(
      await args({ intent: "create-rule", name: "X", kind: "nope" }),
    );
    expect(unknownKind.errors[0]?.path).toBe("kind");
    const unnamed = await rules.action(
      await args({
        intent: "create-rule",
        name: "",
        kind: "immediate",
        condition: "durationMs > 1",
      }),
    );
    expect(unnamed.errors).toEqual([{ path: "name", message: "cannot be empty" }]);
    const created = await rules.action(
      await args({
        intent: "create-rule",
        name: "Slow",
        kind: "immediate",
        condition: "durationMs > 5000",
        groupBy: "routeId",
      }),
    );
    expect(created).toEqual({ intent: "create-rule", errors: [] });
    const loaded = await rules.loader({
      request: await get(`/businesses/${b.id}/rules`),
      params: { id: b.id },
      context,
    } as never);
    expect(loaded.rules.map((r) => [r.name, r.kind, r.groupBy])).toEqual([
      ["Slow", "immediate", "routeId"],
    ]);

    // Edit: a cleared "where" and "groupBy" are removed from the rule.
    const rule = loaded.rules[0];
    const edited = await rules.action(
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
    expect(edited.errors).toEqual([]);
    const after = bodyOf(
      await send(
        api.v1.businesses[":id"].rules[":ruleId"].$get({
          param: { id: b.id, ruleId: rule?.id ?? "" },
        }),
      ),
      200,
    );
    expect(after).toMatchObject({ name: "Slower", condition: "durationMs > 9000" });
    expect(after.groupBy).toBeUndefined();
  });

  it("business layout, status page and charts: health at a glance, the group grid, charts marked by rules", async () => {
    const { business: b, token } = await businessWithSource();
    await createRule(b.id, {
      name: "Slow",
      kind: "immediate",
      condition: "durationMs > 5000",
      groupBy: "routeId",
      severity: "critical",
    });
    await ingest(b.id, token, [
      { routeId: "A", durationMs: 9000 },
      { routeId: "B", durationMs: 20 },
    ]);
    await settle(b.id);
    const args = async (path: string) =>
      ({ request: await get(path), params: { id: b.id }, context }) as never;
    const head = await layout.loader(await args(`/businesses/${b.id}`));
    expect(head.open).toEqual({ critical: 1, warning: 0, info: 0 });
    expect(head.groups).toEqual({
      by: "routeId",
      counts: { down: 0, anomalous: 1, late: 0, up: 1 },
    });
    expect(layout.tabs.map(([, label]) => label)).toContain("Settings");

    const status = await overview.loader(await args(`/businesses/${b.id}?q=b`));
    expect(status.groups.items.map((g) => [g.key, g.status])).toEqual([["B", "up"]]);
    expect(status.alerts.map((a) => a.groupKey)).toEqual(["A"]);
    // A stale `by` falls back to the default grouping instead of failing the page.
    const stale = await overview.loader(await args(`/businesses/${b.id}?by=gone`));
    expect(stale.groups.by).toBe("routeId");

    const shown = await charts.loader(await args(`/businesses/${b.id}/charts?range=90d`));
    expect(shown.range).toBe("90d");
    expect(shown.charts.map((c) => c.series.title)).toEqual(["Events", "avg of durationMs"]);
    const duration = shown.charts[1];
    expect(duration?.unit).toBe("ms");
    expect(duration?.marks.thresholds).toEqual([{ value: 5000, label: "Slow: > 5000" }]);
    expect(duration?.marks.spans.map((s) => s.severity)).toEqual(["critical"]);
    const saved = await charts.action({
      request: await post(`/businesses/${b.id}/charts`, {
        "chart.0.fn": "max",
        "chart.0.field": "durationMs",
        range: "7d",
      }),
      params: { id: b.id },
      context,
    } as never);
    expect(saved).toEqual({ errors: [] });
    const refused = await charts.action({
      request: await post(`/businesses/${b.id}/charts`, { "chart.0.fn": "max", range: "2y" }),
      params: { id: b.id },
      context,
    } as never);
    expect(refused.errors.map((e) => e.path)).toEqual(["range"]);
    // A chart's problem names the editor row it came from, though a row above it was removed.
    const badBucket = await charts.action({
      request: await post(`/businesses/${b.id}/charts`, {
        "chart.0.fn": "count",
        "chart.0.remove": "on",
        "chart.1.fn": "max",
        "chart.1.field": "durationMs",
        "chart.1.bucket": "soon",
        range: "7d",
      }),
      params: { id: b.id },
      context,
    } as never);
    expect(badBucket.errors.map((e) => e.path)).toEqual(["chart.1.bucket"]);
  });

  it("charts: an anomaly rule's normal band on the chart of its field, a note where the grouping differs", async () => {
    const { business: b } = await roomHistory("Europe/Berlin");
    await createRule(b.id, { name: "Odd temperature", kind: "anomaly", field: "temperature" });
    await createRule(b.id, {
      name: "Odd room",
      kind: "anomaly",
      field: "temperature",
      groupBy: "room",
    });
    const shown = await charts.loader({
      request: await get(`/businesses/${b.id}/charts?range=24h`),
      params: { id: b.id },
      context,
    } as never);
    const chart = shown.charts.find((c) => c.series.title === "avg of temperature");
    expect(chart?.unit).toBe("°C");
    const [band, ...others] = chart?.marks.bands ?? [];
    expect(others).toEqual([]);
    expect(band?.label).toBe("normal band of “Odd temperature”");
    expect(band?.group).toBe("");
    expect(band?.points.length).toBeGreaterThan(20);
    for (const p of band?.points ?? []) {
      expect(p.low).toBeLessThan(21);
      expect(p.high).toBeGreaterThan(21);
    }
    expect(chart?.marks.notes).toEqual([
      "The anomaly rule “Odd room” learns each room apart: chart temperature per room to see its normal bands.",
    ]);
  });

  it("alert page: an anomaly alert's chart carries the rule's band over the window", async () => {
    const { business: b, token } = await roomHistory("UTC");
    await createRule(b.id, { name: "Odd temperature", kind: "anomaly", field: "temperature" });
    await settle(b.id);
    await ingest(b.id, token, { timestamp: Date.now(), temperature: 60 });
    await settle(b.id);
    const id = (await alertsOf(b.id))[0]?.id ?? "";
    expect(id).not.toBe("");
    const page = await alert_.loader({
      request: await get(`/alerts/${id}`),
      params: { id },
      context,
    } as never);
    expect(page.chart.query).toMatchObject({ field: "temperature", fn: "avg" });
    expect(page.chart.band.length).toBeGreaterThan(5);
    for (const p of page.chart.band) expect(p.low).toBeLessThan(p.high);
  });

  it("settings and sources tabs: a used field cannot go, said in the business's words; a new source shows its token", async () => {
    const { business: b } = await businessWithSource();
    await createRule(b.id, {
      name: "Slow route",
      kind: "immediate",
      condition: "durationMs > 5000",
    });
    const removed = await settings.action({
      request: await post(`/businesses/${b.id}/settings`, {
        intent: "remove-field",
        field: "durationMs",
      }),
      params: { id: b.id },
      context,
    } as never);
    expect(removed.detail).toBe("the rule “Slow route” uses it. Change or delete that rule first.");
    const renamed = await settings.action({
      request: await post(`/businesses/${b.id}/settings`, {
        intent: "update-business",
        name: "Renamed",
        description: "",
        timezone: "Mars/Olympus",
      }),
      params: { id: b.id },
      context,
    } as never);
    expect(renamed.errors.map((e) => e.path)).toEqual(["timezone"]);
    const created = await sourcesTab.action({
      request: await post(`/businesses/${b.id}/sources`, {
        intent: "create-source",
        name: "gateway",
      }),
      params: { id: b.id },
      context,
    } as never);
    expect(created.token).toMatch(/^anom_/);
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
    const rules = await send(api.v1.businesses[":id"].rules.$get({ param: { id: b.id } }));
    expect(bodyOf(rules, 200).items).toEqual([]);
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
    expect((await act("ack")).error).toMatch(/^This alert is already resolved/);

    const detail = await alert_.loader({
      request: await get(`/alerts/${alert?.id}`),
      params: { id: alert?.id ?? "" },
      context,
    } as never);
    expect(detail.alert.history.map((t) => t.type)).toEqual(["opened", "acknowledged", "resolved"]);
    expect(detail.business.id).toBe(b.id);
    // The series around the alert: the rule's field, its highest values (the limit is from above).
    expect(detail.chart.query).toMatchObject({ field: "durationMs", fn: "max" });
    expect(detail.chart.points.map((p) => p.value)).toEqual([9000]);
    expect(detail.chart.thresholds).toEqual([{ value: 5000, label: "Slow: > 5000" }]);
    expect(detail.deliveries).toEqual([]);

    // Links of older notifications land on the alert's page.
    const old = await run(async () =>
      alerts.loader({
        request: await get(`/alerts?alert=${alert?.id}`),
        params: {},
        context,
      } as never),
    );
    expect((old as Response).headers.get("location")).toBe(`/alerts/${alert?.id}`);

    const byRule = await alerts.loader({
      request: await get(`/alerts?businessId=${b.id}&status=resolved&ruleId=rul_other`),
      params: {},
      context,
    } as never);
    expect(byRule.rules.map((r) => r.name)).toEqual(["Slow"]);
    expect(byRule.alerts.items).toEqual([]);
  });

  it("events tab: filters recent events by a field's value", async () => {
    const { business: b, token } = await businessWithSource();
    await ingest(b.id, token, [
      { routeId: "A", durationMs: 1 },
      { routeId: "B", durationMs: 2 },
    ]);
    const loaded = await events.loader({
      request: await get(`/businesses/${b.id}/events?field=routeId&value=B`),
      params: { id: b.id },
      context,
    } as never);
    expect(loaded.events.items.map((e) => e.data.routeId)).toEqual(["B"]);
    expect(loaded.filter).toEqual({ field: "routeId", value: "B" });
    const stale = await events.loader({
      request: await get(`/businesses/${b.id}/events?field=gone&value=B`),
      params: { id: b.id },
      context,
    } as never);
    expect(stale.problem).toMatch(/does not fit/);
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
    expect(missing.detail).toMatch(/^This no longer exists/);
  });
});
