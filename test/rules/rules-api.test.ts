import { describe, expect, it } from "vitest";
import {
  alertsOf,
  api,
  type BusinessCreate,
  bodyOf,
  businessWithSource,
  client,
  createBusiness,
  createRule,
  expectStatus,
  ingest,
  send,
  statusOf,
  untypedBody,
} from "../helpers";

const expenses: Partial<BusinessCreate> = {
  name: "Expenses",
  timezone: "Europe/Berlin",
  fields: [
    { name: "amount", type: "number", required: true },
    { name: "category", type: "enum", values: ["food", "rent"] },
    { name: "note", type: "string" },
  ],
};

describe("rules API", () => {
  it("creates, lists, reads, changes and deletes rules of every kind", async () => {
    const b = await createBusiness();
    const bodies = [
      { name: "Slow route", kind: "immediate", condition: "durationMs > 5000", groupBy: "routeId" },
      {
        name: "No file",
        kind: "absence",
        where: "routeId == 'SFTP-BANK-A'",
        window: "20m",
        groupBy: "routeId",
      },
      {
        name: "Busy",
        kind: "aggregate",
        expression: "count() > 100",
        window: "1h",
        severity: "info",
      },
    ] as const;
    const created = [];
    for (const body of bodies) {
      const res = await send(
        api.v1.businesses[":id"].rules.$post({ param: { id: b.id }, json: body }),
      );
      expectStatus(res, 201);
      expect(res.json).toMatchObject({ ...body, businessId: b.id, enabled: true });
      expect(res.json.id).toMatch(/^rul_/);
      created.push(res.json);
    }
    const [slow, noFile, busy] = created;
    if (!slow || !noFile || !busy) throw new Error("three rules were created");
    expect(slow.severity).toBe("warning");
    const list = await send(api.v1.businesses[":id"].rules.$get({ param: { id: b.id } }));
    expectStatus(list, 200);
    expect(list.json.items.map((r: { name: string }) => r.name)).toEqual([
      "Slow route",
      "No file",
      "Busy",
    ]);

    const patched = await send(
      api.v1.businesses[":id"].rules[":ruleId"].$patch({
        param: { id: b.id, ruleId: noFile.id },
        json: { window: "30m", where: null, severity: "critical" },
      }),
    );
    expectStatus(patched, 200);
    expect(patched.json).toMatchObject({ kind: "absence", window: "30m", severity: "critical" });
    expect(patched.json.where).toBeUndefined();
    const changed = await send(
      api.v1.businesses[":id"].rules[":ruleId"].$get({ param: { id: b.id, ruleId: noFile.id } }),
    );
    expect(bodyOf(changed, 200)).toMatchObject({ window: "30m" });

    expect(
      await statusOf(
        api.v1.businesses[":id"].rules[":ruleId"].$delete({
          param: { id: b.id, ruleId: busy.id },
        }),
      ),
    ).toBe(204);
    expect(
      await statusOf(
        api.v1.businesses[":id"].rules[":ruleId"].$get({
          param: { id: b.id, ruleId: busy.id },
        }),
      ),
    ).toBe(404);
  });

  it("accepts calendar windows, tolerances and active schedules", async () => {
    const b = await createBusiness(expenses);
    await createRule(b.id, {
      name: "Overspend",
      kind: "aggregate",
      expression: "sum(amount) > 2000",
      window: "day",
    });
    await createRule(b.id, {
      name: "Big ones",
      kind: "immediate",
      condition: "amount > 500",
      tolerance: { atLeast: 2, ofLast: 5 },
    });
    await createRule(b.id, {
      name: "Food share",
      kind: "immediate",
      condition: "category == 'food'",
      tolerance: { rateAbove: 0.5, window: "1h", minEvents: 4 },
    });
    await createRule(b.id, {
      name: "Quiet",
      kind: "absence",
      window: "2h",
      active: { days: ["mon", "tue"], hours: "08-18" },
    });
    await createRule(b.id, {
      name: "Quiet cron",
      kind: "absence",
      window: "2h",
      active: "* 8-17 * * 1-5",
    });
  });

  describe("refuses rules that cannot run, naming the problem", () => {
    const cases: [string, Record<string, unknown>, string, RegExp][] = [
      ["bad syntax", { kind: "immediate", condition: "durationMs >" }, "condition", /column/],
      [
        "unknown field",
        { kind: "immediate", condition: "duration > 5" },
        "condition",
        /Unknown variable: duration/,
      ],
      ["wrong type", { kind: "immediate", condition: "routeId > 5" }, "condition", /overload/],
      [
        "not a condition",
        { kind: "immediate", condition: "durationMs * 2.0" },
        "condition",
        /true or false/,
      ],
      ["bad where", { kind: "absence", window: "5m", where: "nope == 1" }, "where", /nope/],
      [
        "unknown groupBy",
        { kind: "immediate", condition: "true", groupBy: "nope" },
        "groupBy",
        /nope/,
      ],
      ["bad window", { kind: "absence", window: "5 minutes" }, "window", /duration/],
      [
        "bad aggregate",
        { kind: "aggregate", expression: "median(durationMs) > 2", window: "1h" },
        "expression",
        /count/,
      ],
      [
        "sum of a string",
        { kind: "aggregate", expression: "sum(routeId) > 2", window: "day" },
        "expression",
        /number/,
      ],
      [
        "bad calendar",
        { kind: "aggregate", expression: "count() > 2", window: "fortnight" },
        "window",
        /duration/,
      ],
      ["bad cron", { kind: "absence", window: "5m", active: "every day" }, "active", /schedule/],
      [
        "expect without groupBy",
        { kind: "absence", window: "5m", expect: ["A"] },
        "expect",
        /groupBy/,
      ],
      [
        "unknown channel",
        { kind: "immediate", condition: "true", channels: ["chn_nope"] },
        "channels.0",
        /channel/,
      ],
      [
        "tolerance k > n",
        { kind: "immediate", condition: "true", tolerance: { atLeast: 3, ofLast: 2 } },
        "tolerance.atLeast",
        /exceed/,
      ],
      ["unknown kind", { kind: "magic" }, "kind", /./],
      ["anomaly on a string", { kind: "anomaly", field: "routeId" }, "field", /need a number/],
      ["anomaly on no field", { kind: "anomaly", field: "nope" }, "field", /not a field/],
      [
        "anomaly sensitivity",
        { kind: "anomaly", field: "durationMs", sensitivity: "extreme" },
        "sensitivity",
        /./,
      ],
    ];
    for (const [label, body, path, message] of cases) {
      it(label, async () => {
        const b = await createBusiness();
        const res = await send(
          api.v1.businesses[":id"].rules.$post({
            param: { id: b.id },
            json: untypedBody({ name: "r", ...body }),
          }),
        );
        expectStatus(res, 422);
        expect(res.headers.get("content-type")).toBe("application/problem+json");
        const error = res.json.errors?.find((e: { path: string }) => e.path === path);
        expect(error, JSON.stringify(res.json.errors)).toBeDefined();
        expect(error?.message).toMatch(message);
      });
    }
  });

  it("checks a rule body without saving it, for editors that check as the user types", async () => {
    const b = await createBusiness();
    const check = (body: Record<string, unknown>) =>
      send(
        api.v1.businesses[":id"].rules.check.$post({
          param: { id: b.id },
          json: untypedBody({ name: "r", ...body }),
        }),
      );
    const ok = await check({ kind: "immediate", condition: "durationMs > 5000" });
    expectStatus(ok, 200);
    expect(ok.json).toEqual({ ok: true });
    const bad = await check({ kind: "immediate", condition: "durationMs > 'slow'" });
    expectStatus(bad, 422);
    expect(bad.json.errors?.[0]?.path).toBe("condition");
    const missing = await check({ kind: "aggregate", expression: "sum(amount) > 1" });
    expectStatus(missing, 422);
    expect(missing.json.errors?.map((e: { path: string }) => e.path)).toContain("window");
    const rules = await send(api.v1.businesses[":id"].rules.$get({ param: { id: b.id } }));
    expectStatus(rules, 200);
    expect(rules.json.items).toEqual([]);
  });

  it("refuses a patch that breaks the rule or changes its kind", async () => {
    const b = await createBusiness();
    const r = await createRule(b.id, {
      name: "Slow",
      kind: "immediate",
      condition: "durationMs > 5000",
    });
    const bad = await send(
      api.v1.businesses[":id"].rules[":ruleId"].$patch({
        param: { id: b.id, ruleId: r.id },
        json: { condition: "nope" },
      }),
    );
    expectStatus(bad, 422);
    const kind = await send(
      api.v1.businesses[":id"].rules[":ruleId"].$patch({
        param: { id: b.id, ruleId: r.id },
        json: untypedBody({ kind: "absence" }),
      }),
    );
    expectStatus(kind, 422);
  });

  it("refuses to remove or retype a field a rule depends on", async () => {
    const b = await createBusiness();
    await createRule(b.id, { name: "Slow", kind: "immediate", condition: "durationMs > 5000" });
    expect(
      await statusOf(
        api.v1.businesses[":id"].fields[":name"].$delete({
          param: { id: b.id, name: "durationMs" },
        }),
      ),
    ).toBe(409);
    expect(
      await statusOf(
        api.v1.businesses[":id"].fields[":name"].$patch({
          param: { id: b.id, name: "durationMs" },
          json: { type: "string" },
        }),
      ),
    ).toBe(409);
    expect(
      await statusOf(
        api.v1.businesses[":id"].fields[":name"].$delete({ param: { id: b.id, name: "status" } }),
      ),
    ).toBe(200);
  });

  it("answers 404 for rules of unknown businesses or rules", async () => {
    const b = await createBusiness();
    expect(
      await statusOf(
        api.v1.businesses[":id"].rules.$post({
          param: { id: "bus_x" },
          json: { name: "r", kind: "immediate", condition: "true" },
        }),
      ),
    ).toBe(404);
    expect(
      await statusOf(
        api.v1.businesses[":id"].rules[":ruleId"].$get({ param: { id: b.id, ruleId: "rul_x" } }),
      ),
    ).toBe(404);
    expect(
      await statusOf(
        api.v1.businesses[":id"].rules[":ruleId"].$patch({
          param: { id: b.id, ruleId: "rul_x" },
          json: { name: "y" },
        }),
      ),
    ).toBe(404);
    expect(
      await statusOf(
        api.v1.businesses[":id"].rules[":ruleId"].$delete({
          param: { id: b.id, ruleId: "rul_x" },
        }),
      ),
    ).toBe(404);
  });

  it("keeps a catastrophic regex harmless: linear matching on every event, refused RE2-foreign patterns", async () => {
    const { business, token } = await businessWithSource({
      fields: [{ name: "deviceId", type: "string", required: true }],
    });
    const rule = await send(
      api.v1.businesses[":id"].rules.$post({
        param: { id: business.id },
        json: { name: "Odd id", kind: "immediate", condition: "deviceId.matches('^(a+)+$')" },
      }),
    );
    expectStatus(rule, 201);
    // With a backtracking engine each of these would take about 2^40 steps: the test would time out.
    const hostile = Array.from({ length: 50 }, (_, i) => ({ deviceId: `${"a".repeat(40 + i)}!` }));
    const res = await ingest(business.id, token, hostile);
    expectStatus(res, 202);
    expect(res.json.accepted).toBe(50);
    const matching = await ingest(business.id, token, { deviceId: "aaaa" });
    expect(bodyOf(matching, 202).accepted).toBe(1);
    expect((await alertsOf(business.id)).map((a) => a.ruleId)).toEqual([rule.json.id]);

    const refused = await send(
      api.v1.businesses[":id"].rules.$post({
        param: { id: business.id },
        json: { name: "Lookahead", kind: "immediate", condition: "deviceId.matches('a(?=b)')" },
      }),
    );
    expectStatus(refused, 422);
    expect(refused.json.errors?.[0]).toMatchObject({
      path: "condition",
      message: expect.stringMatching(/RE2/),
    });
    const costly = await send(
      api.v1.businesses[":id"].rules.$post({
        param: { id: business.id },
        json: {
          name: "Quadratic",
          kind: "immediate",
          condition: "deviceId.split('').all(a, deviceId.split('').exists(b, a == b))",
        },
      }),
    );
    expectStatus(costly, 422);
    expect(costly.json.errors?.[0]?.message).toMatch(/steps per event/);
  });

  it("needs the admin token", async () => {
    const b = await createBusiness();
    expect(
      await statusOf(client(null).v1.businesses[":id"].rules.$get({ param: { id: b.id } })),
    ).toBe(401);
    expect(await statusOf(client("nope").v1.alerts.$get({ query: {} }))).toBe(401);
  });
});
