import {
  env,
  evictDurableObject,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { labelledSeries } from "../../bench/anomaly/series";
import { flushArchive } from "../../workers/business/archive";
import { pruneEvents } from "../../workers/business/retention";
import { rollUp } from "../../workers/business/rollup";
import {
  alertsOf,
  api,
  type BusinessCreate,
  bodyOf,
  businessWithSource,
  createRule,
  expectStatus,
  ingest,
  problemOf,
  type RuleCreate,
  send,
  settle,
} from "../helpers";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const stubOf = (businessId: string) => env.BUSINESS.get(env.BUSINESS.idFromName(businessId));

const sensors: Partial<BusinessCreate> = {
  timezone: "UTC",
  fields: [
    { name: "timestamp", type: "timestamp" },
    { name: "deviceId", type: "string", required: true },
    { name: "temperature", type: "number", required: true },
  ],
};

/** Four days of a fridge's readings every 10 minutes, ending now: 3–7 °C with a daily cycle. */
function fridgeHistory() {
  const start = Date.now() - 4 * DAY;
  const series = labelledSeries({
    type: "none",
    seed: 11,
    start,
    points: 4 * 144,
    level: 5,
    daily: 1.5,
    noise: 0.3,
  });
  return series.points.map((p) => ({ timestamp: p.time, deviceId: "F1", temperature: p.value }));
}

async function ruleOf(businessId: string, ruleId: string) {
  const rule = api.v1.businesses[":id"].rules[":ruleId"];
  return bodyOf(await send(rule.$get({ param: { id: businessId, ruleId } })), 200);
}

/** Backtests a rule over the business's history (POST /v1/businesses/{id}/rules/backtest). */
const backtest = (
  id: string,
  json: Parameters<(typeof api.v1.businesses)[":id"]["rules"]["backtest"]["$post"]>[0]["json"],
) => send(api.v1.businesses[":id"].rules.backtest.$post({ param: { id }, json }));

describe("rules start from history", () => {
  it("an anomaly rule created after four days of history flags the first unusual live reading", async () => {
    const { business, token } = await businessWithSource(sensors);
    expect((await ingest(business.id, token, fridgeHistory())).status).toBe(202);
    const rule = await createRule(business.id, {
      name: "Odd fridge",
      kind: "anomaly",
      field: "temperature",
      groupBy: "deviceId",
    });
    expect(rule.status).toMatchObject({ history: "replaying" });
    await settle(business.id);
    expect((await ruleOf(business.id, rule.id)).status).toEqual({
      history: "ready",
      groups: 1,
      warmingUp: 0,
    });
    await ingest(business.id, token, [{ deviceId: "F1", temperature: 25 }]);
    const alerts = await alertsOf(business.id);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]).toMatchObject({ groupKey: "F1", status: "open", historical: false });
    expect(alerts[0]?.summary).toMatch(/temperature = 25 is unusual/);
  });

  it("an aggregate rule created mid-day counts the morning", async () => {
    const { business, token } = await businessWithSource({
      timezone: "UTC",
      fields: [
        { name: "timestamp", type: "timestamp" },
        { name: "amount", type: "number", required: true },
      ],
    });
    const now = Date.now();
    const dayStart = now - (now % DAY);
    const morning = Array.from({ length: 10 }, (_, i) => ({
      timestamp: dayStart + Math.floor(((now - dayStart) * i) / 20),
      amount: 100,
    }));
    await ingest(business.id, token, morning);
    await createRule(business.id, {
      name: "Overspend",
      kind: "aggregate",
      expression: "sum(amount) > 1500",
      window: "day",
    });
    await settle(business.id);
    expect(await alertsOf(business.id)).toEqual([]);
    // 1,000 this morning and 600 now: over 1,500 (the 600 alone is not).
    await ingest(business.id, token, [{ amount: 600 }]);
    const alerts = await alertsOf(business.id);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.summary).toMatch(/1,?600/);
  });

  it("an absence rule knows each key's last event", async () => {
    const { business, token } = await businessWithSource(sensors);
    await ingest(business.id, token, [
      { timestamp: Date.now() - 2 * HOUR, deviceId: "QUIET", temperature: 5 },
      { timestamp: Date.now() - 60_000, deviceId: "BUSY", temperature: 5 },
    ]);
    await createRule(business.id, {
      name: "Silent",
      kind: "absence",
      window: "1h",
      groupBy: "deviceId",
    });
    const alerts = await alertsOf(business.id);
    expect(alerts.map((a) => [a.groupKey, a.status])).toEqual([["QUIET", "open"]]);
  });

  it("reads the history back from the archive when the object has pruned it", async () => {
    const { business, token } = await businessWithSource({ ...sensors, retention: { days: 1 } });
    await ingest(business.id, token, fridgeHistory());
    const held = await runInDurableObject(stubOf(business.id), async (_o, state) => {
      while (await flushArchive(state.storage, env.ARCHIVE, business.id));
      while (rollUp(state.storage, []));
      pruneEvents(state.storage.sql, { days: 1, maxEvents: 1_000_000 }, Date.now());
      return state.storage.sql.exec<{ n: number }>(`select count(*) as n from events`).one().n;
    });
    expect(held).toBeLessThan(200);
    const rule = await createRule(business.id, {
      name: "Odd fridge",
      kind: "anomaly",
      field: "temperature",
      groupBy: "deviceId",
    });
    await settle(business.id);
    const learnt = await runInDurableObject(stubOf(business.id), (_o, state) =>
      state.storage.sql
        .exec<{ state: string }>(`select state from anomaly where rule_id = ?`, rule.id)
        .toArray()
        .map((r) => (JSON.parse(r.state) as { n: number }).n),
    );
    expect(learnt).toEqual([4 * 144]);
    expect((await ruleOf(business.id, rule.id)).status).toMatchObject({ history: "ready" });
  });
});

describe("backtests", () => {
  const routes: Partial<BusinessCreate> = {
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "routeId", type: "string", required: true },
      { name: "durationMs", type: "number", required: true },
    ],
  };

  it("answer what an absence rule would have raised over a gap, without touching live state", async () => {
    const { business, token } = await businessWithSource(routes);
    const t0 = Date.now() - 10 * HOUR;
    const a = [
      ...Array.from({ length: 6 }, (_, i) => t0 + i * 600_000),
      // Two hours of silence, then files again.
      ...Array.from({ length: 6 }, (_, i) => t0 + 3 * HOUR + i * 600_000),
    ].map((timestamp) => ({ timestamp, routeId: "SFTP-A", durationMs: 100 }));
    // Another route keeps sending meanwhile, so A's silence is A's, not an outage.
    const b = Array.from({ length: 24 }, (_, i) => ({
      timestamp: t0 + i * 600_000 + 1_000,
      routeId: "SFTP-B",
      durationMs: 100,
    }));
    const events = [...a, ...b].sort((x, y) => x.timestamp - y.timestamp);
    await ingest(business.id, token, events);
    const before = await runInDurableObject(
      stubOf(business.id),
      (_o, state) =>
        state.storage.sql.exec<{ n: number }>(`select count(*) as n from schedule`).one().n,
    );
    const res = await backtest(business.id, {
      rule: { name: "No file", kind: "absence", window: "30m", groupBy: "routeId" },
      to: t0 + 3.9 * HOUR,
    });
    expectStatus(res, 200);
    expect(res.json).toMatchObject({ events: 36, truncated: false });
    expect(res.json.alerts).toEqual([
      {
        groupKey: "SFTP-A",
        openedAt: new Date(t0 + 50 * 60_000 + 30 * 60_000).toISOString(),
        // Files came back at t0 + 3 h; the alert kept firing for the default 2 minutes.
        resolvedAt: new Date(t0 + 3 * HOUR + 2 * 60_000).toISOString(),
        summary: expect.stringMatching(/^SFTP-A: no event for 30 min/),
      },
    ]);
    expect(await alertsOf(business.id)).toEqual([]);
    const after = await runInDurableObject(
      stubOf(business.id),
      (_o, state) =>
        state.storage.sql.exec<{ n: number }>(`select count(*) as n from schedule`).one().n,
    );
    expect(after).toBe(before);
  });

  it("name what is wrong with the rule or the range", async () => {
    const { business } = await businessWithSource(routes);
    const bad = await backtest(business.id, {
      rule: { name: "x", kind: "immediate", condition: "nope > 1" },
    });
    expect(bad.status).toBe(422);
    expect(problemOf(bad).errors?.[0]?.path).toBe("rule.condition");
    const range = await backtest(business.id, {
      rule: { name: "x", kind: "immediate", condition: "durationMs > 1" },
      from: "2026-11-02T00:00:00Z",
      to: "2026-11-01T00:00:00Z",
    });
    expect(range.status).toBe(422);
    expect(problemOf(range).errors?.[0]?.path).toBe("from");
  });

  // Rules judged on events alone. Rules with timers (absence, windows, `for`,
  // `keepFiringFor`) differ by design when history is sent in bulk: the backtest
  // runs their timers on the events' clock, as if the history were happening,
  // while a bulk backfill's timers run on the wall clock, on the alarm after it
  // (see docs/rules.md). So these rules resolve at once (`keepFiringFor: 0s`).
  it("raise what the live engine raises, for rules judged on events (property)", async () => {
    const rules: RuleCreate[] = [
      {
        name: "Slow",
        kind: "immediate",
        condition: "durationMs > 800",
        groupBy: "routeId",
        keepFiringFor: "0s",
      },
      {
        name: "Often slow",
        keepFiringFor: "0s",
        kind: "immediate",
        condition: "durationMs > 500",
        tolerance: { atLeast: 3, ofLast: 5 },
        groupBy: "routeId",
      },
      {
        name: "Odd",
        kind: "anomaly",
        field: "durationMs",
        groupBy: "routeId",
        keepFiringFor: "0s",
      },
    ];
    await fc.assert(
      fc.asyncProperty(
        fc.array(
          fc.record({
            gapMs: fc.integer({ min: 1_000, max: 900_000 }),
            route: fc.constantFrom("A", "B"),
            durationMs: fc.oneof(
              fc.integer({ min: 90, max: 110 }),
              fc.integer({ min: 0, max: 2_000 }),
            ),
          }),
          { minLength: 80, maxLength: 160 },
        ),
        fc.constantFrom(...rules),
        async (steps, rule) => {
          let t = Date.now() - 3 * DAY;
          const events = steps.map((s) => {
            t += s.gapMs;
            return { timestamp: t, routeId: s.route, durationMs: s.durationMs };
          });
          const live = await businessWithSource(routes);
          await createRule(live.business.id, rule);
          await ingest(live.business.id, live.token, events);
          const raised = (await alertsOf(live.business.id))
            .map((a) => `${a.groupKey} ${a.eventTime}`)
            .sort();

          const past = await businessWithSource(routes);
          await ingest(past.business.id, past.token, events);
          const res = await backtest(past.business.id, { rule });
          expectStatus(res, 200);
          const wouldHave = res.json.alerts.map((a) => `${a.groupKey} ${a.openedAt}`).sort();
          expect(wouldHave).toEqual(raised);
        },
      ),
      { numRuns: 6, seed: 20261127, endOnFailure: true },
    );
  }, 120_000);
});

describe("a long replay", () => {
  it("goes a chunk per alarm run, survives eviction, and misses no live event meanwhile", async () => {
    const { business, token } = await businessWithSource(sensors);
    const start = Date.now() - 40 * DAY;
    const events = Array.from({ length: 45_000 }, (_, i) => ({
      timestamp: start + i * 60_000,
      deviceId: `D${i % 3}`,
      temperature: 5 + Math.sin(i / 90),
    }));
    for (let i = 0; i < events.length; i += 10_000) {
      const res = await ingest(business.id, token, events.slice(i, i + 10_000));
      expect(res.json).toMatchObject({
        accepted: Math.min(10_000, events.length - i),
        rejected: [],
      });
    }
    const rule = await createRule(business.id, {
      name: "Odd fridge",
      kind: "anomaly",
      field: "temperature",
      groupBy: "deviceId",
    });
    const stub = stubOf(business.id);
    // One alarm run replays one chunk of 20,000 (the alarm may also have run on
    // its own already); the object is evicted between runs.
    await runDurableObjectAlarm(stub);
    const midway = (await ruleOf(business.id, rule.id)).status;
    if (!midway) throw new Error("an anomaly rule answers its learning status");
    if (midway.history === "replaying") expect([20_000, 40_000]).toContain(midway.replayedEvents);
    else expect(midway.history).toBe("ready");
    await evictDurableObject(stub);
    // A live event while the rule replays: stored now, learnt in order by the replay.
    await ingest(business.id, token, [{ deviceId: "D0", temperature: 5 }]);
    await settle(business.id);
    expect((await ruleOf(business.id, rule.id)).status).toEqual({
      history: "ready",
      groups: 3,
      warmingUp: 0,
    });
    const learnt = await runInDurableObject(stub, (_o, state) =>
      state.storage.sql
        .exec<{ group_key: string; state: string }>(
          `select group_key, state from anomaly where rule_id = ? order by group_key`,
          rule.id,
        )
        .toArray()
        .map((r) => `${r.group_key}:${(JSON.parse(r.state) as { n: number }).n}`),
    );
    expect(learnt).toEqual(["D0:15001", "D1:15000", "D2:15000"]);
  }, 60_000);
});
