import { describe, expect, it } from "vitest";
import { labelledSeries } from "../../bench/anomaly/series";
import {
  api,
  type BusinessCreate,
  businessWithSource,
  createRule,
  expectStatus,
  ingest,
  problemOf,
  send,
} from "../helpers";

const DAY = 86_400_000;

/** GET a rule's band with the query given. */
const band = (id: string, ruleId: string, query: Record<string, string> = {}) =>
  send(api.v1.businesses[":id"].rules[":ruleId"].band.$get({ param: { id, ruleId }, query }));

const sensors: Partial<BusinessCreate> = {
  timezone: "Europe/Berlin",
  fields: [
    { name: "timestamp", type: "timestamp" },
    { name: "deviceId", type: "string", required: true },
    { name: "temperature", type: "number", required: true },
    { name: "door", type: "string" },
  ],
};

/** Three days of two fridges every 10 minutes, ending now: around 5 °C (F1) and 20 °C (F2). */
function readings() {
  const start = Date.now() - 3 * DAY;
  return ["F1", "F2"].flatMap((deviceId, i) =>
    labelledSeries({
      type: "none",
      seed: 7 + i,
      start,
      points: 3 * 144,
      level: i ? 20 : 5,
      daily: 1,
      noise: 0.2,
    }).points.map((p) => ({ timestamp: p.time, deviceId, temperature: p.value })),
  );
}

describe("an anomaly rule's band for charts", () => {
  it("answers the expected value and normal band per bucket and group, around each series' own level", async () => {
    const { business, token } = await businessWithSource(sensors);
    expect((await ingest(business.id, token, readings())).status).toBe(202);
    const rule = await createRule(business.id, {
      name: "Odd fridge",
      kind: "anomaly",
      field: "temperature",
      groupBy: "deviceId",
    });
    const to = new Date().toISOString();
    const from = new Date(Date.now() - DAY).toISOString();
    const res = await band(business.id, rule.id, { from, to, bucket: "1h" });
    expectStatus(res, 200);
    expect(res.json).toMatchObject({ ruleId: rule.id, field: "temperature", bucket: "1h" });
    expect(res.json.truncated).toBe(false);
    const items = res.json.items;
    for (const g of ["F1", "F2"]) {
      const mine = items.filter((p) => p.group === g);
      // A bucket an hour, a day long (the edges may be short of a bucket).
      expect(mine.length).toBeGreaterThanOrEqual(23);
      const level = g === "F1" ? 5 : 20;
      for (const p of mine) {
        expect(Date.parse(p.time)).toBeGreaterThanOrEqual(Date.parse(from) - 3_600_000);
        expect(p.low).toBeLessThan(p.expected);
        expect(p.high).toBeGreaterThan(p.expected);
        expect(Math.abs(p.expected - level)).toBeLessThan(2.5);
      }
    }
    // One group only.
    const one = await band(business.id, rule.id, { from, to, bucket: "1h", group: "F2" });
    expectStatus(one, 200);
    expect(new Set(one.json.items.map((p) => p.group))).toEqual(new Set(["F2"]));
  });

  it("answers no band for rules of other kinds, and refuses bad ranges naming the parameter", async () => {
    const { business } = await businessWithSource(sensors);
    const rule = await createRule(business.id, {
      name: "Warm",
      kind: "immediate",
      condition: "temperature > 8",
    });
    const notAnomaly = await band(business.id, rule.id);
    expectStatus(notAnomaly, 200);
    expect(notAnomaly.json).toMatchObject({ field: null, items: [] });
    const anomaly = await createRule(business.id, {
      name: "Odd",
      kind: "anomaly",
      field: "temperature",
    });
    const backwards = await band(business.id, anomaly.id, {
      from: "2026-11-02T00:00:00Z",
      to: "2026-11-01T00:00:00Z",
    });
    expect(backwards.status).toBe(422);
    expect(problemOf(backwards).errors?.[0]?.path).toBe("from");
    const tiny = await band(business.id, anomaly.id, {
      from: "2026-01-01T00:00:00Z",
      to: "2026-11-01T00:00:00Z",
      bucket: "1s",
    });
    expect(tiny.status).toBe(422);
    expect(problemOf(tiny).errors?.[0]?.path).toBe("bucket");
    const empty = await band(business.id, anomaly.id);
    expectStatus(empty, 200);
    expect(empty.json.items).toEqual([]);
  });
});
