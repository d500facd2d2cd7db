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
import { rollUp } from "../../workers/business/rollup";
import worker from "../../workers/index";
import {
  api,
  type BusinessCreate,
  bodyOf,
  businessWithSource,
  createRule,
  ingest,
  type RuleCreate,
  send,
} from "../helpers";

const ZONE = "Europe/Berlin";
const MIN = 60_000;
const DAY = 86_400_000;
/** Fleet tests send up to 23,000 events through ingest: more than the default 5 s on a shared machine. */
const FLEET_MS = 30_000;

interface Suggestion {
  id: string;
  rule: Record<string, unknown> & { kind: string; name: string };
  rationale: string;
  evidence: Record<string, unknown> & { sampleSize: number; backtest: { alerts: number } };
  status: string;
}

async function sendEvents(businessId: string, token: string, events: Record<string, unknown>[]) {
  for (let i = 0; i < events.length; i += 5000) {
    const res = await ingest(businessId, token, events.slice(i, i + 5000));
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    expect(res.json.rejected).toEqual([]);
  }
}

async function run(businessId: string) {
  const res = await send(
    api.v1.businesses[":id"].suggestions.run.$post({ param: { id: businessId } }),
  );
  return bodyOf(res, 200) as {
    items: Suggestion[];
    run: {
      events: number;
      notes: { subject: string; reason: string }[];
      groupField: string | null;
    };
  };
}

/** The business's suggestions, all or those with `status`. */
const listSuggestions = (id: string, status?: "pending" | "approved" | "rejected") =>
  send(
    api.v1.businesses[":id"].suggestions.$get({ param: { id }, query: status ? { status } : {} }),
  );

const approve = (id: string) => send(api.v1.suggestions[":id"].approve.$post({ param: { id } }));
const reject = (id: string) => send(api.v1.suggestions[":id"].reject.$post({ param: { id } }));

/** The local days of the last `days` days, oldest first, as [year, month, day, weekday]. */
function pastDays(days: number): [number, number, number, number][] {
  const out: [number, number, number, number][] = [];
  for (let i = days; i >= 1; i--) {
    const t = localTime(Date.now() - i * DAY, ZONE);
    out.push([t.year, t.month, t.day, t.weekday]);
  }
  return out;
}

const fileFlow: Partial<BusinessCreate> = {
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

describe("the profile engine", () => {
  it("recovers a 15-minute weekday rhythm per flow as absence rules with an active schedule", async () => {
    const { business, token } = await businessWithSource(fileFlow);
    await sendEvents(business.id, token, fileHistory());
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
    await sendEvents(business.id, token, events);
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
    await sendEvents(business.id, token, events);
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
    await sendEvents(business.id, token, history);
    const stub = env.BUSINESS.get(env.BUSINESS.idFromName(business.id));
    const held = await runInDurableObject(stub, async (_o, state) => {
      while (await flushArchive(state.storage, env.ARCHIVE, business.id)) {}
      while (rollUp(state.storage, [])) {}
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
    await sendEvents(
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
    const listed = bodyOf(await listSuggestions(business.id), 200);
    expect(listed.run?.notes).toEqual(meta.notes);
  });

  it("approves into a rule, forgets nothing rejected, and refreshes pending suggestions", async () => {
    const { business, token } = await businessWithSource(fileFlow);
    await sendEvents(business.id, token, fileHistory());
    const first = await run(business.id);
    const [approved, rejected, ...rest] = first.items;
    if (!approved || !rejected) throw new Error("expected at least two suggestions");

    const created = bodyOf(await approve(approved.id), 201);
    const { id: _id, businessId: _b, createdAt: _c, updatedAt: _u, ...body } = created;
    expect(body).toEqual(approved.rule);
    const rule = await send(
      api.v1.businesses[":id"].rules[":ruleId"].$get({
        param: { id: business.id, ruleId: created.id },
      }),
    );
    expect(rule.status).toBe(200);
    expect((await approve(approved.id)).status).toBe(409);

    const refused = bodyOf(await reject(rejected.id), 200);
    expect(refused).toMatchObject({ id: rejected.id, status: "rejected" });
    expect((await reject(approved.id)).status).toBe(409);

    // A second run: neither the approved nor the rejected idea comes back; the rest are the same rows.
    const second = await run(business.id);
    expect(second.items.map((s) => s.id).sort()).toEqual(rest.map((s) => s.id).sort());
    const all = bodyOf(await listSuggestions(business.id), 200);
    expect(all.items).toHaveLength(first.items.length);
    const statuses = Object.fromEntries(all.items.map((s) => [s.id, [s.status, s.ruleId]]));
    expect(statuses[approved.id]).toEqual(["approved", created.id]);
    expect(statuses[rejected.id]).toEqual(["rejected", null]);
    const pending = bodyOf(await listSuggestions(business.id, "pending"), 200);
    expect(pending.items).toHaveLength(rest.length);

    expect((await approve("sug_nope")).status).toBe(404);
  });

  it("runs for every business on the daily Cron Trigger", async () => {
    const { business, token } = await businessWithSource(fileFlow);
    await sendEvents(business.id, token, fileHistory());
    const before = bodyOf(await listSuggestions(business.id), 200);
    expect(before).toEqual({ items: [], run: null });
    await worker.scheduled(
      createScheduledController({ cron: "17 3 * * *", scheduledTime: Date.now() }),
      env,
      createExecutionContext(),
    );
    const after = bodyOf(await listSuggestions(business.id), 200);
    expect(after.items.length).toBeGreaterThan(0);
    expect(after.run?.groupField).toBe("flow");
  });
});

describe("suggestions a person would approve", () => {
  it("suggests nothing from three minutes of data and says what is missing", async () => {
    const { business, token } = await businessWithSource(fileFlow);
    // An event every 2 s for 3 minutes: 90 events, plenty of gaps, no history to speak of.
    const now = Date.now();
    await sendEvents(
      business.id,
      token,
      Array.from({ length: 90 }, (_, i) => ({
        timestamp: now - 180_000 + i * 2000,
        flow: "SFTP-BANK-A",
        status: "OK",
      })),
    );
    const { items, run: meta } = await run(business.id);
    expect(items).toEqual([]);
    expect(meta.events).toBe(90);
    expect(meta.notes).toHaveLength(1);
    expect(meta.notes[0]?.reason).toMatch(
      /^too little data: 90 events over 3 min; .* at least 50 events over at least 1 day .*\(missing: 24 h more of history\)$/,
    );
  });

  it(
    "watches a 40-device fleet with one absence rule grouped by device, expecting every device",
    async () => {
      const { business, token } = await businessWithSource({
        timezone: ZONE,
        fields: [
          { name: "timestamp", type: "timestamp" },
          { name: "deviceId", type: "string", required: true },
          { name: "temperature", type: "number", unit: "°C" },
        ],
      });
      // 40 devices, each every 10 min ± 2 min, around the clock, for the last 4 days, each
      // room at its own temperature (15 to 34.5 °C).
      const rand = random(11);
      const devices = Array.from({ length: 40 }, (_, i) => `dev-${String(i + 1).padStart(2, "0")}`);
      const start = Date.now() - 4 * DAY;
      const events: Record<string, unknown>[] = [];
      for (const [d, deviceId] of devices.entries()) {
        for (let t = start + d * 13_000; t < Date.now() - 2 * MIN; t += 10 * MIN) {
          events.push({
            timestamp: Math.round(t + (rand() - 0.5) * 4 * MIN),
            deviceId,
            temperature: Math.round((15 + d / 2 + rand()) * 10) / 10,
          });
        }
      }
      events.sort((a, b) => (a.timestamp as number) - (b.timestamp as number));
      await sendEvents(business.id, token, events);
      const { items, run: meta } = await run(business.id);
      expect(meta.groupField).toBe("deviceId");

      const absence = items.filter((s) => s.rule.kind === "absence");
      expect(absence).toHaveLength(1);
      const [fleet] = absence;
      expect(fleet?.rule).toMatchObject({ groupBy: "deviceId", window: "15m", expect: devices });
      expect(fleet?.rule.where).toBeUndefined();
      // Four days say nothing about the week: no weekday is left out.
      expect(fleet?.rule.active).toBeUndefined();
      expect(fleet?.rationale).toMatch(
        /^40 deviceId values \(dev-01, dev-02, dev-03 and 37 more\) report in a similar rhythm: each typically every 10 min \(p95 1[23] min over \d+ gaps\); weekly pattern unknown \(4 days\), so every day\. One rule for all of them: alert when any has no event for more than 15 min\.$/,
      );
      expect(fleet?.evidence).toMatchObject({
        unit: "gaps",
        keys: 40,
        weeklyPattern: "unknown",
        backtest: {
          alerts: 0,
          days: 4,
          covers: "4 days",
          lowConfidence: true,
          summary: "over 4 days: 0 alerts — short history, low confidence",
        },
      });
      expect(fleet?.evidence.sampleSize).toBeGreaterThan(40 * 500);

      // Forty levels: one anomaly rule learning each device's normal, not forty ranges.
      const temperature = items.filter((s) => s.rule.kind !== "absence");
      expect(temperature.map((s) => s.rule)).toEqual([
        expect.objectContaining({ kind: "anomaly", field: "temperature", groupBy: "deviceId" }),
      ]);
      expect(temperature[0]?.rationale).toMatch(
        /^40 deviceId values keep temperature at different levels \(medians from 15(\.\d+)? to 35(\.\d+)? °C\)/,
      );

      // Approvable as it is: the rule expects every device.
      const created = bodyOf(await approve(fleet?.id ?? ""), 201);
      expect(created).toHaveProperty("expect", devices);
    },
    FLEET_MS,
  );

  it(
    "pools a fleet whose devices each report too rarely to be judged alone",
    async () => {
      const { business, token } = await businessWithSource({
        timezone: ZONE,
        fields: [
          { name: "timestamp", type: "timestamp" },
          { name: "deviceId", type: "string", required: true },
        ],
      });
      // 100 devices every 6 h ± 10 min, each at its own phase, for 4 days: 15 gaps each.
      const rand = random(17);
      const devices = Array.from(
        { length: 100 },
        (_, i) => `dev-${String(i + 1).padStart(3, "0")}`,
      );
      const start = Date.now() - 4 * DAY;
      const events: Record<string, unknown>[] = [];
      for (const [d, deviceId] of devices.entries()) {
        for (let t = start + d * 216_000; t < Date.now() - 20 * MIN; t += 6 * 3_600_000) {
          events.push({ timestamp: Math.round(t + (rand() - 0.5) * 20 * MIN), deviceId });
        }
      }
      events.sort((a, b) => (a.timestamp as number) - (b.timestamp as number));
      await sendEvents(business.id, token, events);
      const { items, run: meta } = await run(business.id);
      expect(meta.groupField).toBe("deviceId");
      const absence = items.filter((s) => s.rule.kind === "absence");
      expect(absence).toHaveLength(1);
      expect(absence[0]?.rule).toMatchObject({
        groupBy: "deviceId",
        window: "7h",
        expect: devices,
      });
      expect(absence[0]?.rule.active).toBeUndefined();
      expect(absence[0]?.evidence.sampleSize).toBeGreaterThanOrEqual(1400);
      expect(absence[0]?.evidence.backtest).toMatchObject({ alerts: 0, lowConfidence: true });
    },
    FLEET_MS,
  );

  it(
    "gives devices of another rhythm their own grouped rule, each filtered to its devices",
    async () => {
      const { business, token } = await businessWithSource({
        timezone: ZONE,
        fields: [
          { name: "timestamp", type: "timestamp" },
          { name: "deviceId", type: "string", required: true },
        ],
      });
      // Twelve meters every 10 min and two gateways every hour (± 2 min), for 4 days.
      const rand = random(13);
      const meters = Array.from(
        { length: 12 },
        (_, i) => `meter-${String(i + 1).padStart(2, "0")}`,
      );
      const gateways = ["gw-1", "gw-2"];
      const start = Date.now() - 4 * DAY;
      const events: Record<string, unknown>[] = [];
      for (const [every, ids] of [
        [10, meters],
        [60, gateways],
      ] as const) {
        for (const [d, deviceId] of ids.entries()) {
          for (let t = start + d * 17_000; t < Date.now() - 2 * MIN; t += every * MIN) {
            events.push({ timestamp: Math.round(t + (rand() - 0.5) * 4 * MIN), deviceId });
          }
        }
      }
      events.sort((a, b) => (a.timestamp as number) - (b.timestamp as number));
      await sendEvents(business.id, token, events);
      const { items, run: meta } = await run(business.id);
      expect(meta.groupField).toBe("deviceId");
      const absence = items
        .filter((s) => s.rule.kind === "absence")
        .sort((a, b) => String(a.rule.where).localeCompare(String(b.rule.where)));
      expect(absence.map((s) => [s.rule.where, s.rule.expect, s.rule.window])).toEqual([
        ['!(deviceId in ["gw-1","gw-2"])', meters, "15m"],
        ['deviceId in ["gw-1","gw-2"]', gateways, expect.stringMatching(/^(6[5-9]|7\d|80)m$/)],
      ]);
      for (const s of absence) {
        expect((await approve(s.id)).status).toBe(201);
      }
    },
    FLEET_MS,
  );

  it("gives a stream seen Tuesday to Friday a schedule for every day, not one that skips the days it never saw", async () => {
    const { business, token } = await businessWithSource(fileFlow);
    // The most recent Tuesday-to-Friday wholly in the past, 06–22, every 15 min ± 2 min.
    const days = pastDays(14);
    const tuesday = days.findLastIndex(
      ([, , , weekday], i) => weekday === 2 && i + 3 < days.length,
    );
    const rand = random(5);
    const events: Record<string, unknown>[] = [];
    for (const [y, m, d] of days.slice(tuesday, tuesday + 4)) {
      const close = instantOf(ZONE, y, m, d, 22);
      for (let t = instantOf(ZONE, y, m, d, 6) + 2 * MIN; t < close - 2 * MIN; t += 15 * MIN) {
        events.push({
          timestamp: Math.round(t + (rand() - 0.5) * 4 * MIN),
          flow: "SFTP-BANK-A",
          status: "OK",
        });
      }
    }
    await sendEvents(business.id, token, events);
    const { items } = await run(business.id);
    const absence = items.filter((s) => s.rule.kind === "absence");
    expect(absence).toHaveLength(1);
    expect(absence[0]?.rule).toMatchObject({ window: "20m", active: { hours: "06-22" } });
    expect(absence[0]?.rule.active).not.toHaveProperty("days");
    expect(absence[0]?.rationale).toMatch(
      /: typically every 15 min \(p95 1[6-8] min\) 06–22; weekly pattern unknown \(4 days\), so every day\. Alert if no event for more than 20 min\.$/,
    );
    expect(absence[0]?.evidence.backtest).toMatchObject({
      covers: "4 days",
      lowConfidence: true,
    });
  });

  it("leaves out ideas an existing rule already covers, and withdraws pending ones they now duplicate", async () => {
    const { business, token } = await businessWithSource(fileFlow);
    await sendEvents(business.id, token, fileHistory());
    const before = await run(business.id);
    expect(before.items.filter((s) => s.rule.kind === "absence")).toHaveLength(2);
    expect(before.items.some((s) => s.rule.tolerance)).toBe(true);

    const rule = async (body: RuleCreate) => {
      await createRule(business.id, body);
    };
    // A person watches bank A's files already: only bank B is left to suggest.
    await rule({
      name: "Bank A files",
      kind: "absence",
      where: "flow == 'SFTP-BANK-A'",
      window: "30m",
    });
    const partly = await run(business.id);
    expect(partly.items.filter((s) => s.rule.kind === "absence").map((s) => s.rule.where)).toEqual([
      'flow == "SFTP-BANK-B"',
    ]);
    expect(partly.run.notes).toContainEqual({
      subject: "flow: SFTP-BANK-A: arrivals",
      reason: "already covered by rule “Bank A files”",
    });

    // Then every flow for silence, and every failure.
    await rule({ name: "Flows report", kind: "absence", groupBy: "flow", window: "45m" });
    await rule({ name: "Any failure", kind: "immediate", condition: "status == 'FAILED'" });
    const after = await run(business.id);
    expect(after.items.filter((s) => s.rule.kind === "absence")).toEqual([]);
    expect(after.items.filter((s) => s.rule.tolerance)).toEqual([]);
    const covered = after.run.notes
      .filter((n) => /^already covered by rule/.test(n.reason))
      .sort((a, b) => a.subject.localeCompare(b.subject));
    expect(covered).toEqual([
      {
        subject: "flow: SFTP-BANK-A: arrivals",
        reason: "already covered by rule “Bank A files”",
      },
      {
        subject: "flow: SFTP-BANK-B: arrivals",
        reason: "already covered by rule “Flows report”",
      },
      { subject: "Many FAILED (status)", reason: "already covered by rule “Any failure”" },
    ]);
    const pending = bodyOf(await listSuggestions(business.id, "pending"), 200);
    expect(pending.items).toEqual(after.items);
  });

  it("suggests no range for a field an existing threshold rule already watches", async () => {
    const { business, token } = await businessWithSource({
      timezone: ZONE,
      fields: [
        { name: "timestamp", type: "timestamp" },
        { name: "temperature", type: "number", required: true, unit: "°C" },
      ],
    });
    const rand = random(3);
    const start = Date.now() - 6 * DAY;
    await sendEvents(
      business.id,
      token,
      Array.from({ length: 6 * 144 }, (_, i) => ({
        timestamp: start + i * 10 * MIN,
        temperature: Math.round((18 + 8 * rand()) * 10) / 10,
      })),
    );
    await createRule(business.id, {
      name: "Too hot",
      kind: "immediate",
      condition: "temperature > 40",
    });
    const { items, run: meta } = await run(business.id);
    expect(items.filter((s) => s.rule.kind === "immediate")).toEqual([]);
    expect(meta.notes).toContainEqual({
      subject: "temperature out of range",
      reason: "already covered by rule “Too hot”",
    });
  });

  it("states the history each backtest covers", async () => {
    const { business, token } = await businessWithSource(fileFlow);
    await sendEvents(business.id, token, fileHistory());
    const { items } = await run(business.id);
    expect(items.length).toBeGreaterThan(0);
    for (const s of items) {
      const b = s.evidence.backtest as unknown as {
        alerts: number;
        days: number;
        covers: string;
        lowConfidence: boolean;
        summary: string;
      };
      expect(b.days).toBeGreaterThanOrEqual(18);
      expect(b.lowConfidence).toBe(false);
      expect(b.summary).toBe(`over ${b.covers}: ${b.alerts} alert${b.alerts === 1 ? "" : "s"}`);
      expect(b.covers).toMatch(/^((1[89]|20) days|3 weeks)$/);
    }
  });
});
