import {
  createExecutionContext,
  createScheduledController,
  env,
  runInDurableObject,
} from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { gaussian, random } from "../../bench/anomaly/series";
import { flushArchive } from "../../workers/business/archive";
import { instantOf, localTime } from "../../workers/business/engine/calendar";
import { pruneEvents } from "../../workers/business/retention";
import worker from "../../workers/index";
import { businessWithSource, call, ingest } from "../helpers";

const ZONE = "Europe/Berlin";
const MIN = 60_000;
const DAY = 86_400_000;

interface Suggestion {
  id: string;
  rule: Record<string, unknown> & { kind: string; name: string };
  rationale: string;
  evidence: Record<string, unknown> & { sampleSize: number; backtest: { alerts: number } };
  status: string;
}

async function send(businessId: string, token: string, events: Record<string, unknown>[]) {
  for (let i = 0; i < events.length; i += 5000) {
    const res = await ingest(businessId, token, events.slice(i, i + 5000));
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    expect(res.json.rejected).toEqual([]);
  }
}

async function run(businessId: string) {
  const res = await call("POST", `/v1/businesses/${businessId}/suggestions/run`);
  expect(res.status, JSON.stringify(res.json)).toBe(200);
  return res.json as {
    items: Suggestion[];
    run: {
      events: number;
      notes: { subject: string; reason: string }[];
      groupField: string | null;
    };
  };
}

/** The local days of the last `days` days, oldest first, as [year, month, day, weekday]. */
function pastDays(days: number): [number, number, number, number][] {
  const out: [number, number, number, number][] = [];
  for (let i = days; i >= 1; i--) {
    const t = localTime(Date.now() - i * DAY, ZONE);
    out.push([t.year, t.month, t.day, t.weekday]);
  }
  return out;
}

describe("the profile engine", () => {
  const fileFlow = {
    timezone: ZONE,
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "flow", type: "string", required: true },
      { name: "status", type: "enum", values: ["OK", "FAILED"], required: true },
    ],
  };

  /** SFTP-BANK-A every 15 min ± 2 min, SFTP-BANK-B hourly ± 2 min, on weekdays 06–22 only, 3 weeks. */
  function fileHistory() {
    const rand = random(42);
    const events: Record<string, unknown>[] = [];
    for (const [y, m, d, weekday] of pastDays(21)) {
      if (weekday > 5) continue;
      const open = instantOf(ZONE, y, m, d, 6);
      const close = instantOf(ZONE, y, m, d, 22);
      for (const [flow, every] of [
        ["SFTP-BANK-A", 15],
        ["SFTP-BANK-B", 60],
      ] as const) {
        for (let t = open + 2 * MIN; t < close - 2 * MIN; t += every * MIN) {
          const time = Math.round(t + (rand() - 0.5) * 4 * MIN);
          if (time > Date.now() - MIN) continue;
          events.push({ timestamp: time, flow, status: rand() < 0.02 ? "FAILED" : "OK" });
        }
      }
    }
    return events.sort((a, b) => (a.timestamp as number) - (b.timestamp as number));
  }

  it("recovers a 15-minute weekday rhythm per flow as absence rules with an active schedule", async () => {
    const { business, token } = await businessWithSource(fileFlow);
    await send(business.id, token, fileHistory());
    const { items, run: meta } = await run(business.id);
    expect(meta.groupField).toBe("flow");

    const absence = items.filter((s) => s.rule.kind === "absence");
    expect(absence.map((s) => s.rule.where).sort()).toEqual([
      'flow == "SFTP-BANK-A"',
      'flow == "SFTP-BANK-B"',
    ]);
    const a = absence.find((s) => s.rule.where === 'flow == "SFTP-BANK-A"');
    expect(a?.rule).toMatchObject({
      window: "20m",
      groupBy: "flow",
      expect: ["SFTP-BANK-A"],
      active: { days: ["mon", "tue", "wed", "thu", "fri"], hours: "06-22" },
    });
    expect(a?.rationale).toMatch(
      /^SFTP-BANK-A: typically every 15 min \(p95 1[6-8] min\) on weekdays 06–22\. Alert if no event for more than 20 min\.$/,
    );
    expect(a?.evidence.unit).toBe("gaps");
    expect(a?.evidence.sampleSize).toBeGreaterThan(500);
    expect(a?.evidence.backtest.alerts).toBe(0);

    const b = absence.find((s) => s.rule.where === 'flow == "SFTP-BANK-B"');
    const windowMinutes = Number(String(b?.rule.window).replace(/m$/, ""));
    expect(windowMinutes).toBeGreaterThan(60);
    expect(windowMinutes).toBeLessThanOrEqual(90);

    // About 2% FAILED: a failure-rate rule, above what the hours showed.
    const failures = items.find((s) => s.rule.kind === "immediate" && s.rule.tolerance);
    expect(failures?.rule).toMatchObject({
      condition: 'status == "FAILED"',
      tolerance: { window: "6h", minEvents: 20 },
    });
  });

  it("recovers a known daily expense total as an aggregate rule on the day", async () => {
    const { business, token } = await businessWithSource({
      timezone: ZONE,
      fields: [
        { name: "timestamp", type: "timestamp" },
        { name: "category", type: "enum", values: ["food", "travel", "office"] },
        { name: "amount", type: "number", required: true, unit: "EUR" },
      ],
    });
    // Eight expenses a day adding up to 400 € ± a little.
    const noise = gaussian(random(7));
    const events: Record<string, unknown>[] = [];
    const totals: number[] = [];
    for (const [y, m, d] of pastDays(20)) {
      let total = 0;
      for (let i = 0; i < 8; i++) {
        const amount = Math.round((50 + 3 * noise()) * 100) / 100;
        total += amount;
        events.push({
          timestamp: instantOf(ZONE, y, m, d, 9 + i),
          category: ["food", "travel", "office"][i % 3],
          amount,
        });
      }
      totals.push(total);
    }
    await send(business.id, token, events);
    const { items } = await run(business.id);
    const daily = items.find((s) => s.rule.kind === "aggregate");
    expect(daily?.rule).toMatchObject({ window: "day" });
    const threshold = Number(/sum\(amount\) > ([\d.]+)/.exec(String(daily?.rule.expression))?.[1]);
    expect(threshold).toBeGreaterThan(Math.max(...totals));
    expect(threshold).toBeLessThan(400 * 1.25);
    expect(daily?.rationale).toMatch(/amount adds up to 4\d\d(\.\d+)? EUR on a typical day/);
    expect(daily?.evidence).toMatchObject({ unit: "days", backtest: { alerts: 0 } });
  });

  it("recovers a sensor's range as a threshold rule with room around it", async () => {
    const { business, token } = await businessWithSource({
      timezone: ZONE,
      fields: [
        { name: "timestamp", type: "timestamp" },
        { name: "temperature", type: "number", required: true, unit: "°C" },
      ],
    });
    const rand = random(3);
    const start = Date.now() - 6 * DAY;
    const events = Array.from({ length: 6 * 24 * 6 }, (_, i) => ({
      timestamp: start + i * 10 * MIN,
      temperature: Math.round((18 + 8 * rand()) * 10) / 10,
    }));
    await send(business.id, token, events);
    const { items } = await run(business.id);
    const range = items.find((s) => s.rule.kind === "immediate");
    const [, upper, lower] =
      /^temperature > ([\d.]+) \|\| temperature < ([\d.]+)$/.exec(String(range?.rule.condition)) ??
      [];
    expect(Number(upper)).toBeGreaterThan(26);
    expect(Number(upper)).toBeLessThanOrEqual(30);
    expect(Number(lower)).toBeLessThan(18);
    expect(Number(lower)).toBeGreaterThanOrEqual(14);
    expect(range?.rationale).toMatch(
      /^temperature is usually between 18(\.\d+)? and 2[56](\.\d+)? °C/,
    );
    expect(range?.evidence.backtest.alerts).toBe(0);
  });

  it("reads what the business's object already pruned back from the R2 archive", async () => {
    const { business, token } = await businessWithSource(fileFlow);
    const history = fileHistory();
    await send(business.id, token, history);
    const stub = env.BUSINESS.get(env.BUSINESS.idFromName(business.id));
    const held = await runInDurableObject(stub, async (_o, state) => {
      while (await flushArchive(state.storage, env.ARCHIVE, business.id)) {}
      while (pruneEvents(state.storage.sql, { days: 30, maxEvents: 200 }, Date.now())) {}
      return state.storage.sql.exec<{ n: number }>(`select count(*) as n from events`).one().n;
    });
    expect(held).toBe(200);
    const { items, run: meta } = await run(business.id);
    expect(meta.events).toBe(history.length);
    expect(items.filter((s) => s.rule.kind === "absence")).toHaveLength(2);
  });

  it("says why it suggests nothing when there is too little data", async () => {
    const { business, token } = await businessWithSource(fileFlow);
    await send(
      business.id,
      token,
      Array.from({ length: 12 }, (_, i) => ({
        timestamp: Date.now() - (12 - i) * 15 * MIN,
        flow: "SFTP-BANK-A",
        status: "OK",
      })),
    );
    const { items, run: meta } = await run(business.id);
    expect(items).toEqual([]);
    expect(meta.events).toBe(12);
    expect(meta.notes[0]?.reason).toMatch(/only 12 events .* needs at least 50/);
    const listed = await call("GET", `/v1/businesses/${business.id}/suggestions`);
    expect(listed.json.run.notes).toEqual(meta.notes);
  });

  it("approves into a rule, forgets nothing rejected, and refreshes pending suggestions", async () => {
    const { business, token } = await businessWithSource(fileFlow);
    await send(business.id, token, fileHistory());
    const first = await run(business.id);
    const [approved, rejected, ...rest] = first.items;
    if (!approved || !rejected) throw new Error("expected at least two suggestions");

    const created = await call("POST", `/v1/suggestions/${approved.id}/approve`);
    expect(created.status).toBe(201);
    const { id: _id, businessId: _b, createdAt: _c, updatedAt: _u, ...body } = created.json;
    expect(body).toEqual(approved.rule);
    const rule = await call("GET", `/v1/businesses/${business.id}/rules/${created.json.id}`);
    expect(rule.status).toBe(200);
    expect((await call("POST", `/v1/suggestions/${approved.id}/approve`)).status).toBe(409);

    const refused = await call("POST", `/v1/suggestions/${rejected.id}/reject`);
    expect(refused.status).toBe(200);
    expect(refused.json).toMatchObject({ id: rejected.id, status: "rejected" });
    expect((await call("POST", `/v1/suggestions/${approved.id}/reject`)).status).toBe(409);

    // A second run: neither the approved nor the rejected idea comes back; the rest are the same rows.
    const second = await run(business.id);
    expect(second.items.map((s) => s.id).sort()).toEqual(rest.map((s) => s.id).sort());
    const all = await call("GET", `/v1/businesses/${business.id}/suggestions`);
    expect(all.json.items).toHaveLength(first.items.length);
    const statuses = Object.fromEntries(
      all.json.items.map((s: Suggestion & { ruleId: string | null }) => [
        s.id,
        [s.status, s.ruleId],
      ]),
    );
    expect(statuses[approved.id]).toEqual(["approved", created.json.id]);
    expect(statuses[rejected.id]).toEqual(["rejected", null]);
    const pending = await call("GET", `/v1/businesses/${business.id}/suggestions?status=pending`);
    expect(pending.json.items).toHaveLength(rest.length);

    expect((await call("POST", "/v1/suggestions/sug_nope/approve")).status).toBe(404);
  });

  it("runs for every business on the daily Cron Trigger", async () => {
    const { business, token } = await businessWithSource(fileFlow);
    await send(business.id, token, fileHistory());
    const before = await call("GET", `/v1/businesses/${business.id}/suggestions`);
    expect(before.json).toEqual({ items: [], run: null });
    await worker.scheduled(
      createScheduledController({ cron: "17 3 * * *", scheduledTime: Date.now() }),
      env,
      createExecutionContext(),
    );
    const after = await call("GET", `/v1/businesses/${business.id}/suggestions`);
    expect(after.json.items.length).toBeGreaterThan(0);
    expect(after.json.run.groupField).toBe("flow");
  });
});
