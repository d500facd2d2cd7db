import {
  env,
  evictDurableObject,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import { describe, expect, it } from "vitest";
import {
  alertAction,
  alertsOf,
  api,
  type BusinessCreate,
  bodyOf,
  businessWithSource,
  createRule,
  expectStatus,
  getAlert,
  ingest,
  patchRule,
  queryOf,
  send,
  settle,
} from "../helpers";

/** One page of the business's alert index as it is now (without settling first). */
const alertIndex = async (businessId: string, query = "") =>
  bodyOf(await send(api.v1.alerts.$get({ query: { businessId, ...queryOf(query) } })), 200);

const stubOf = (id: string) => env.BUSINESS.get(env.BUSINESS.idFromName(id));
const MIN = 60_000;
const route = (routeId: string, durationMs: number, at = Date.now() - 1000) => ({
  timestamp: at,
  routeId,
  durationMs,
  status: "OK",
});

/** Makes every scheduled job of the business due now, then runs the alarm: time control without waiting. */
async function fastForward(businessId: string, kind?: string) {
  await runInDurableObject(stubOf(businessId), async (_i, state) => {
    if (kind) state.storage.sql.exec(`update schedule set due = 1 where kind = ?`, kind);
    else state.storage.sql.exec(`update schedule set due = 1`);
    await state.storage.setAlarm(Date.now());
  });
  await runDurableObjectAlarm(stubOf(businessId));
}

describe("immediate rules", () => {
  it("open one alert per group, count repeats, and resolve when the next event no longer matches", async () => {
    const { business, token } = await businessWithSource();
    const rule = await createRule(business.id, {
      name: "Slow",
      kind: "immediate",
      keepFiringFor: "0s",
      condition: "durationMs > 5000",
      groupBy: "routeId",
    });
    await ingest(business.id, token, [
      route("A", 6120),
      route("B", 7000),
      route("A", 8000),
      route("B", 10),
    ]);

    const alerts = await alertsOf(business.id);
    expect(alerts).toHaveLength(2);
    const a = alerts.find((x) => x.groupKey === "A");
    expect(a).toMatchObject({ ruleId: rule.id, status: "open", count: 2, severity: "warning" });
    expect(a?.summary).toBe("A: durationMs > 5000 (durationMs = 8000)");
    expect(a?.context.event).toMatchObject({ routeId: "A", durationMs: 8000 });
    const b = alerts.find((x) => x.groupKey === "B");
    expect(b).toMatchObject({
      status: "resolved",
      count: 1,
      resolution: "the next event no longer matched",
    });

    await ingest(business.id, token, route("A", 100));
    expect((await alertsOf(business.id, "status=open")).length).toBe(0);
  });

  it("alerts only when k of the last n events match", async () => {
    const { business, token } = await businessWithSource();
    await createRule(business.id, {
      name: "Flaky",
      kind: "immediate",
      keepFiringFor: "0s",
      condition: "durationMs > 5000",
      tolerance: { atLeast: 2, ofLast: 3 },
    });
    await ingest(business.id, token, [route("A", 6000), route("A", 10)]);
    expect(await alertsOf(business.id)).toHaveLength(0);
    await ingest(business.id, token, route("A", 7000));
    const [alert] = await alertsOf(business.id);
    expect(alert?.summary).toBe("2 of the last 3 events matched durationMs > 5000");
    await ingest(business.id, token, [route("A", 1), route("A", 1)]);
    expect((await alertsOf(business.id))[0]?.status).toBe("resolved");
  });

  it("alerts when the matching share over a window passes a rate", async () => {
    const { business, token } = await businessWithSource();
    await createRule(business.id, {
      name: "Failures",
      kind: "immediate",
      condition: "status == 'FAILED'",
      tolerance: { rateAbove: 0.4, window: "10m", minEvents: 4 },
    });
    const failed = (at: number) => ({ ...route("A", 1, at), status: "FAILED" });
    const now = Date.now();
    await ingest(business.id, token, [
      failed(now - 5000),
      route("A", 1, now - 4000),
      failed(now - 3000),
    ]);
    expect(await alertsOf(business.id)).toHaveLength(0);
    await ingest(business.id, token, failed(now - 2000));
    const [alert] = await alertsOf(business.id);
    expect(alert?.summary).toBe("75% of 4 events in 10 min matched status == 'FAILED' (over 40%)");
  });
});

describe("absence rules", () => {
  it("alert when a key stays silent past its window, and resolve on its next event", async () => {
    const { business, token } = await businessWithSource();
    await createRule(business.id, {
      name: "No file",
      kind: "absence",
      window: "20m",
      groupBy: "routeId",
    });
    const last = Date.now() - 25 * MIN;
    await ingest(business.id, token, [
      route("SFTP-BANK-A", 1, last),
      route("SFTP-BANK-B", 1, Date.now() - MIN),
    ]);
    await settle(business.id);
    const [alert, ...rest] = await alertsOf(business.id);
    expect(rest).toHaveLength(0);
    expect(alert).toMatchObject({
      groupKey: "SFTP-BANK-A",
      status: "open",
      eventTime: new Date(last + 20 * MIN).toISOString(),
    });
    const hhmm = new Intl.DateTimeFormat("en-GB", {
      timeZone: "Europe/Berlin",
      hour: "2-digit",
      minute: "2-digit",
      hourCycle: "h23",
    }).format(last);
    expect(alert?.summary).toBe(`SFTP-BANK-A: no event for 20 min (last at ${hhmm})`);

    await ingest(business.id, token, route("SFTP-BANK-A", 1));
    // It keeps firing for the default 2 minutes after the key reported, then resolves.
    expect((await alertsOf(business.id))[0]?.status).toBe("open");
    await fastForward(business.id, "keep");
    const [after] = await alertsOf(business.id);
    expect(after).toMatchObject({ status: "resolved", resolution: "an event arrived" });
  });

  it("only counts events that match where", async () => {
    const { business, token } = await businessWithSource();
    await createRule(business.id, {
      name: "No A",
      kind: "absence",
      window: "20m",
      where: "routeId == 'A'",
    });
    await ingest(business.id, token, [route("A", 1, Date.now() - 30 * MIN), route("B", 1)]);
    await settle(business.id);
    expect(await alertsOf(business.id, "status=open")).toHaveLength(1);
  });

  it("alerts for expected keys that never reported", async () => {
    const { business } = await businessWithSource();
    await createRule(business.id, {
      name: "Must report",
      kind: "absence",
      window: "5m",
      groupBy: "routeId",
      expect: ["X", "Y"],
    });
    await runInDurableObject(stubOf(business.id), async (_i, state) => {
      state.storage.sql.exec(`update rule_state set since = since - 10 * 60000`);
    });
    await fastForward(business.id, "absence");
    const alerts = await alertsOf(business.id);
    expect(alerts.map((a) => a.groupKey).sort()).toEqual(["X", "Y"]);
    expect(alerts[0]?.summary).toMatch(/no event for 5 min since the rule started/);
  });

  it("does not count time outside the active schedule", async () => {
    const { business, token } = await businessWithSource();
    const hour = Number(
      new Intl.DateTimeFormat("en-GB", {
        timeZone: "Europe/Berlin",
        hour: "2-digit",
        hourCycle: "h23",
      }).format(Date.now()),
    );
    const inactive = `${String((hour + 2) % 24).padStart(2, "0")}-${String((hour + 3) % 24 || 24).padStart(2, "0")}`;
    await createRule(business.id, {
      name: "Office hours",
      kind: "absence",
      window: "20m",
      active: { hours: inactive },
    });
    await ingest(business.id, token, route("A", 1, Date.now() - 25 * MIN));
    await fastForward(business.id, "absence");
    // Now is outside the active hours: no alert, and the timer moved to the active period.
    expect(await alertsOf(business.id)).toHaveLength(0);
    await runInDurableObject(stubOf(business.id), async (_i, state) => {
      const due = state.storage.sql
        .exec<{ due: number }>(`select due from schedule where kind = 'absence'`)
        .one().due;
      expect(due).toBeGreaterThan(Date.now() + 60 * MIN);
    });
  });

  it("keeps timers when the window is edited, and resolves alerts of a disabled or deleted rule", async () => {
    const { business, token } = await businessWithSource();
    const rule = await createRule(business.id, {
      name: "No file",
      kind: "absence",
      window: "20m",
      groupBy: "routeId",
    });
    await ingest(business.id, token, route("A", 1, Date.now() - 10 * MIN));
    await settle(business.id);
    expect(await alertsOf(business.id)).toHaveLength(0);
    // A shorter window: the key's last event still counts, so the key is now late.
    await patchRule(business.id, rule.id, { window: "5m" });
    await settle(business.id);
    expect((await alertsOf(business.id))[0]?.status).toBe("open");
    await patchRule(business.id, rule.id, { enabled: false });
    const [disabled] = await alertsOf(business.id);
    expect(disabled).toMatchObject({ status: "resolved", resolution: "the rule was disabled" });
    await runInDurableObject(stubOf(business.id), async (_i, state) => {
      expect(state.storage.sql.exec(`select * from last_seen`).toArray()).toHaveLength(0);
      expect(
        state.storage.sql.exec(`select * from schedule where kind = 'absence'`).toArray(),
      ).toHaveLength(0);
    });
  });

  it("holds 10,000 keys, each with its own timer on the one alarm", async () => {
    const { business, token } = await businessWithSource({
      fields: [
        { name: "timestamp", type: "timestamp" },
        { name: "deviceId", type: "string", required: true },
        { name: "temperature", type: "number" },
      ],
    });
    await createRule(business.id, {
      name: "Silent",
      kind: "absence",
      window: "10m",
      groupBy: "deviceId",
    });
    const at = Date.now() - 5 * MIN;
    for (let batch = 0; batch < 5; batch++) {
      const events = Array.from({ length: 2000 }, (_, i) => ({
        timestamp: at,
        deviceId: `d${batch * 2000 + i}`,
        temperature: 20,
      }));
      expect((await ingest(business.id, token, events)).json.accepted).toBe(2000);
    }
    const stub = stubOf(business.id);
    // Let the jobs already due (index, analytics) finish, so the alarm is not mid-run when read.
    await settle(business.id);
    await runInDurableObject(stub, async (_i, state) => {
      const sql = state.storage.sql;
      expect(
        sql.exec<{ n: number }>(`select count(*) as n from schedule where kind = 'absence'`).one()
          .n,
      ).toBe(10_000);
      // The one alarm points at the earliest deadline of them all.
      expect(await state.storage.getAlarm()).toBe(
        sql.exec<{ d: number }>(`select min(due) as d from schedule`).one().d,
      );
      // Ten minutes pass: every key's last event is now 15 minutes old.
      sql.exec(`update last_seen set time = time - 10 * 60000`);
      sql.exec(`update schedule set due = due - 10 * 60000 where kind = 'absence'`);
      await state.storage.setAlarm(Date.now());
    });
    // A fresh instance reads the moved clock from storage, not from the old one's memory.
    await evictDurableObject(stub);
    await settle(business.id);
    await runInDurableObject(stub, async (_i, state) => {
      const open = state.storage.sql
        .exec<{ n: number }>(`select count(*) as n from alerts where status = 'open'`)
        .one().n;
      expect(open).toBe(10_000);
    });
    expect((await alertIndex(business.id, "status=open&limit=500")).items).toHaveLength(500);
  }, 60_000);
});

describe("aggregate rules", () => {
  const expenses: Partial<BusinessCreate> = {
    timezone: "Europe/Berlin",
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "amount", type: "number", required: true },
      { name: "who", type: "string" },
    ],
  };

  /** An expenses business whose rule alerts when a window's total passes 100. */
  async function overspending(window: "day" | "1h") {
    const made = await businessWithSource(expenses);
    await createRule(made.business.id, {
      name: "Overspend",
      kind: "aggregate",
      expression: "sum(amount) > 100",
      window,
    });
    return made;
  }

  it("alerts when today's total passes the threshold, and a late event lands in its own day", async () => {
    const { business, token } = await overspending("day");
    const now = Date.now();
    await ingest(business.id, token, [
      { timestamp: now - 1000, amount: 60 },
      { timestamp: now - 500, amount: 30 },
    ]);
    expect(await alertsOf(business.id)).toHaveLength(0);
    await ingest(business.id, token, { timestamp: now - 100, amount: 20 });
    const [alert] = await alertsOf(business.id);
    expect(alert?.summary).toBe("sum(amount) today is 110 (> 100)");
    expect(alert?.context).toMatchObject({ value: 110 });

    // 2 days ago: its own day, far under the threshold, so it neither adds to today nor alerts.
    await ingest(business.id, token, { timestamp: now - 2 * 86_400_000, amount: 99 });
    const alerts = await alertsOf(business.id);
    expect(alerts).toHaveLength(1);
    expect(alerts[0]?.count).toBe(1);
  });

  it("judges each day on its own: late events raise an ended day's alert once, resolved, and leave today's open", async () => {
    const { business, token } = await overspending("day");
    const now = Date.now();
    const yesterday = now - 86_400_000;
    await ingest(business.id, token, { timestamp: now - 1000, amount: 150 });
    // Yesterday, late: under the threshold (today's alert stays as it is), then over it, twice.
    await ingest(business.id, token, { timestamp: yesterday, amount: 20 });
    await ingest(business.id, token, [
      { timestamp: yesterday + 1, amount: 90 },
      { timestamp: yesterday + 2, amount: 5 },
    ]);
    await ingest(business.id, token, { timestamp: yesterday + 3, amount: 5 });
    await settle(business.id);
    const alerts = await alertsOf(business.id);
    expect(alerts.map((a) => [a.status, a.count, a.summary]).sort()).toEqual([
      ["open", 1, "sum(amount) today is 150 (> 100)"],
      ["resolved", 1, expect.stringMatching(/^sum\(amount\) on \d{4}-\d\d-\d\d is 110 \(> 100\)$/)],
    ]);
    expect(alerts.find((a) => a.status === "resolved")?.resolution).toBe("the day had ended");
  });

  it("resolves a sliding-window alert when the window moves past the events", async () => {
    const { business, token } = await businessWithSource(expenses);
    await createRule(business.id, {
      name: "Burst",
      kind: "aggregate",
      expression: "count() >= 3",
      window: "10m",
      groupBy: "who",
    });
    // A burst 12 minutes ago: the window held 3 events then, and has moved past them since.
    const at = Date.now() - 12 * MIN;
    await ingest(
      business.id,
      token,
      [1, 2, 3].map((i) => ({ timestamp: at + i, amount: 1, who: "ann" })),
    );
    await settle(business.id);
    await fastForward(business.id, "keep");
    const [alert] = await alertsOf(business.id);
    expect(alert).toMatchObject({
      groupKey: "ann",
      status: "resolved",
      summary: "ann: count() over 10 min is 3 (>= 3)",
      eventTime: new Date(at + 3).toISOString(),
      resolution: "count() over 10 min is back to 0",
    });
    const { history } = bodyOf(await getAlert(alert?.id), 200);
    expect(history.map((t) => t.type)).toEqual(["opened", "resolved"]);
  });

  it("keeps its running total when the object is evicted mid-window", async () => {
    const { business, token } = await overspending("1h");
    await ingest(business.id, token, { timestamp: Date.now() - 2000, amount: 70 });
    await evictDurableObject(stubOf(business.id));
    await ingest(business.id, token, { timestamp: Date.now() - 1000, amount: 40 });
    const [alert] = await alertsOf(business.id);
    expect(alert?.summary).toBe("sum(amount) over 1 h is 110 (> 100)");
  });

  it("keeps the total when only the threshold changes", async () => {
    const { business, token } = await businessWithSource(expenses);
    const rule = await createRule(business.id, {
      name: "Spend",
      kind: "aggregate",
      expression: "sum(amount) > 1000",
      window: "day",
    });
    await ingest(business.id, token, { timestamp: Date.now() - 1000, amount: 300 });
    await patchRule(business.id, rule.id, { expression: "sum(amount) > 400" });
    await ingest(business.id, token, { timestamp: Date.now() - 500, amount: 200 });
    expect((await alertsOf(business.id))[0]?.summary).toBe("sum(amount) today is 500 (> 400)");
  });
});

describe("alert lifecycle through the API", () => {
  it("acknowledges, resolves, keeps history, and filters the index", async () => {
    const { business, token } = await businessWithSource();
    const rule = await createRule(business.id, {
      name: "Slow",
      kind: "immediate",
      condition: "durationMs > 5000",
      severity: "critical",
    });
    await ingest(business.id, token, route("A", 9000));
    const [alert] = await alertsOf(business.id);
    if (!alert) throw new Error("no alert");

    const ack = await alertAction("ack", alert.id);
    expectStatus(ack, 200);
    expect(ack.json).toMatchObject({ status: "acknowledged", ruleName: "Slow" });
    expect(ack.json.acknowledgedAt).not.toBeNull();
    expect((await alertIndex(business.id, "status=acknowledged")).items).toHaveLength(1);

    // Still triggering while acknowledged: counted on the same alert.
    await ingest(business.id, token, route("A", 9500));
    await settle(business.id);
    expect(bodyOf(await getAlert(alert.id), 200)).toMatchObject({
      status: "acknowledged",
      count: 2,
    });

    const resolved = await alertAction("resolve", alert.id);
    expect(resolved.json).toMatchObject({ status: "resolved", resolution: "resolved by hand" });
    expect((await alertAction("ack", alert.id)).status).toBe(409);

    const full = bodyOf(await getAlert(alert.id), 200);
    expect(full.history.map((t) => t.type)).toEqual(["opened", "acknowledged", "resolved"]);
    expect(new Set(full.history.map((t) => t.id)).size).toBe(3);

    for (const q of [`ruleId=${rule.id}`, "severity=critical", "status=resolved"]) {
      const { items } = await alertIndex(business.id, q);
      expect(
        items.map((i) => i.id),
        q,
      ).toEqual([alert.id]);
    }
    expect((await alertIndex(business.id, "status=active")).items).toHaveLength(0);
    expect((await alertAction("ack", "alt_missing")).status).toBe(404);
  });

  it("pages the alert index newest first", async () => {
    const { business, token } = await businessWithSource();
    await createRule(business.id, {
      name: "Slow",
      kind: "immediate",
      condition: "durationMs > 5000",
      groupBy: "routeId",
    });
    await ingest(
      business.id,
      token,
      ["A", "B", "C", "D", "E"].map((r) => route(r, 9000)),
    );
    await settle(business.id);
    const ids: string[] = [];
    let cursor: string | null = null;
    do {
      const page = await alertIndex(business.id, `limit=2${cursor ? `&cursor=${cursor}` : ""}`);
      ids.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
    } while (cursor);
    expect(ids).toHaveLength(5);
    expect([...ids].sort().reverse()).toEqual(ids);
  });

  it("resolves the alerts of a deleted rule", async () => {
    const { business, token } = await businessWithSource();
    const rule = await createRule(business.id, {
      name: "Slow",
      kind: "immediate",
      condition: "durationMs > 5000",
    });
    await ingest(business.id, token, route("A", 9000));
    await settle(business.id);
    const deleted = await send(
      api.v1.businesses[":id"].rules[":ruleId"].$delete({
        param: { id: business.id, ruleId: rule.id },
      }),
    );
    expect(deleted.status).toBe(204);
    const [alert] = await alertsOf(business.id);
    expect(alert).toMatchObject({ status: "resolved", resolution: "the rule was deleted" });
  });

  it("replays the same transitions after an alarm runs twice (at least once delivery)", async () => {
    const { business, token } = await businessWithSource();
    await createRule(business.id, { name: "No file", kind: "absence", window: "5m" });
    await ingest(business.id, token, route("A", 1, Date.now() - 10 * MIN));
    await fastForward(business.id);
    await fastForward(business.id);
    const alerts = await alertsOf(business.id);
    expect(alerts).toHaveLength(1);
    expect(bodyOf(await getAlert(alerts[0]?.id), 200).history).toHaveLength(1);
  });
});
