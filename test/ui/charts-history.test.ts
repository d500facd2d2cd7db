import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import * as charts from "../../app/routes/business/charts";
import { flushArchive } from "../../workers/business/archive";
import { pruneEvents } from "../../workers/business/retention";
import { rollUp } from "../../workers/business/rollup";
import { businessWithSource, ingest } from "../helpers";
import { uiContext, uiGet, uiPost } from "./support";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

/** Archives and rolls up every event, then prunes those older than a day, as the object's jobs would. */
function pruneToADay(businessId: string) {
  return runInDurableObject(
    env.BUSINESS.get(env.BUSINESS.idFromName(businessId)),
    async (_o, s) => {
      while (await flushArchive(s.storage, env.ARCHIVE, businessId));
      while (rollUp(s.storage, []));
      while (pruneEvents(s.storage.sql, { days: 1, maxEvents: 1_000_000 }, Date.now()));
    },
  );
}

describe("the charts of a business whose older events are pruned", () => {
  it("say where a chart counts fewer events than were sent; a range of days starts at the whole hour", async () => {
    const { business: b, token } = await businessWithSource({
      timezone: "UTC",
      retention: { days: 1 },
      fields: [
        { name: "timestamp", type: "timestamp" },
        { name: "room", type: "string" },
      ],
    });
    const now = Date.now();
    const quarterAgo = now - 90 * DAY;
    const sent = [
      // In the first hour of a 90-day range, after the range's start to the millisecond.
      { timestamp: quarterAgo - (quarterAgo % HOUR) + HOUR - 1000, room: "lab" },
      ...Array.from({ length: 72 }, (_, i) => ({
        timestamp: now - 3 * DAY + i * HOUR,
        room: i % 2 ? "lab" : "hall",
      })),
    ];
    expect((await ingest(b.id, token, sent)).json).toMatchObject({ accepted: sent.length });
    const context = uiContext();
    const params = { id: b.id };
    const saved = await charts.action({
      request: await uiPost(`/businesses/${b.id}/charts`, {
        "chart.0.fn": "count",
        "chart.0.bucket": "15m",
        "chart.1.fn": "count",
        "chart.1.bucket": "1d",
        range: "7d",
      }),
      params,
      context,
    } as never);
    expect(saved).toEqual({ errors: [] });
    await pruneToADay(b.id);

    const week = await charts.loader({
      request: await uiGet(`/businesses/${b.id}/charts?range=7d`),
      params,
      context,
    } as never);
    const [quarterHours, days] = week.charts;
    // 15-minute buckets have no summaries: the pruned two days count nothing, and the chart says so.
    expect(quarterHours?.marks.notes?.[0]).toMatch(
      /^Before \d+ \w+ \d\d:\d\d UTC this chart leaves out the events the business no longer keeps/,
    );
    const total = (points: { value: number | null }[] = []) =>
      points.reduce((n, p) => n + (p.value ?? 0), 0);
    expect(total(quarterHours?.series.points)).toBeLessThan(72);
    // Daily buckets come from the hourly summaries: whole, and nothing to say.
    expect(days?.marks.notes ?? []).toEqual([]);
    expect(total(days?.series.points)).toBe(72);

    // 90 days from the whole hour: the first hour's event counts, and nothing is flagged.
    const quarter = await charts.loader({
      request: await uiGet(`/businesses/${b.id}/charts?range=90d`),
      params,
      context,
    } as never);
    expect(quarter.charts[1]?.marks.notes ?? []).toEqual([]);
    expect(total(quarter.charts[1]?.series.points)).toBe(sent.length);
  });
});
