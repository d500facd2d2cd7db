import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { flushArchive } from "../../workers/business/archive";
import { series } from "../../workers/business/events";
import {
  nextPruneDelay,
  PRUNE_INTERVAL_MS,
  PRUNE_MIN_INTERVAL_MS,
  pruneEvents,
} from "../../workers/business/retention";
import { HOUR_MS, rolledSeq, rollUp } from "../../workers/business/rollup";
import { api, bodyOf, businessWithSource, ingest, queryOf, rollUpNow, send } from "../helpers";

const DAY = 86_400_000;
const stubOf = (businessId: string) => env.BUSINESS.get(env.BUSINESS.idFromName(businessId));

/** `n` events evenly spread over `span` ms ending a minute ago. */
function spread(n: number, span: number, offset = 0) {
  const end = Date.now() - 60_000;
  return Array.from({ length: n }, (_, i) => ({
    timestamp: new Date(end - span + Math.floor(((i + 0.5) * span) / n) + offset).toISOString(),
    routeId: `R${i % 3}`,
    durationMs: (i * 37) % 1000,
  }));
}

async function ingestAll(businessId: string, token: string, events: unknown[]) {
  for (let i = 0; i < events.length; i += 500) {
    const res = await ingest(businessId, token, events.slice(i, i + 500));
    expect(res.status).toBe(202);
  }
}

const seriesAnswer = async (businessId: string, query: string) => {
  const res = await send(
    api.v1.businesses[":id"].series.$get({ param: { id: businessId }, query: queryOf(query) }),
  );
  return bodyOf(res, 200);
};
const apiSeries = async (businessId: string, query: string) =>
  (await seriesAnswer(businessId, query)).items;

describe("hourly rollups", () => {
  it("answer whole-hour series exactly as the events do, partly rolled up and with ragged edges", async () => {
    const { business, token } = await businessWithSource();
    await ingestAll(business.id, token, spread(600, 30 * HOUR_MS));
    const stub = stubOf(business.id);
    // Roll up only part of the events; the rest must come from the events table.
    await runInDurableObject(stub, (_o, state) => {
      rollUp(state.storage, ["durationMs"], 250);
      expect(rolledSeq(state.storage.sql)).toBe(250);
    });
    await ingestAll(business.id, token, spread(90, 30 * HOUR_MS, 1234));
    const from = Date.now() - 27 * HOUR_MS - 1_234_567;
    const to = Date.now() - 2 * HOUR_MS - 765_432;
    for (const [fn, bucket] of [
      ["count", "1h"],
      ["sum", "1h"],
      ["avg", "3h"],
      ["min", "1h"],
      ["max", "6h"],
    ] as const) {
      const field = fn === "count" ? "" : "&field=durationMs";
      const got = await apiSeries(
        business.id,
        `fn=${fn}${field}&bucket=${bucket}&from=${from}&to=${to}`,
      );
      const want = await runInDurableObject(stub, (_o, state) =>
        series(state.storage.sql, {
          field: fn === "count" ? null : "durationMs",
          fn,
          bucketMs: Number.parseInt(bucket, 10) * HOUR_MS,
          from,
          to,
          groupBy: null,
        }),
      );
      expect(got.length).toBeGreaterThan(3);
      expect(got.map((p) => [p.time, p.count])).toEqual(want.map((p) => [p.time, p.count]));
      got.forEach((p, i) => {
        expect(p.value).toBeCloseTo(want[i]?.value ?? Number.NaN, 6);
      });
    }
  }, 60_000);

  it("keep a 90-day series whole after its events are pruned, and pruning waits for them", async () => {
    const { business, token } = await businessWithSource({
      retention: { days: 30, maxEvents: 1000 },
    });
    const sent = spread(2700, 90 * DAY);
    await ingestAll(business.id, token, sent);
    const stub = stubOf(business.id);
    await runInDurableObject(stub, async (_o, state) => {
      const sql = state.storage.sql;
      while (await flushArchive(state.storage, env.ARCHIVE, business.id));
      // Archived but not rolled up: pruning must keep every event.
      pruneEvents(sql, { days: 30, maxEvents: 1000 }, Date.now());
      expect(sql.exec<{ n: number }>(`select count(*) as n from events`).one().n).toBe(2700);
    });
    await rollUpNow(business.id);
    await runInDurableObject(stub, (_o, state) => {
      const sql = state.storage.sql;
      while (pruneEvents(sql, { days: 30, maxEvents: 1000 }, Date.now()));
      expect(sql.exec<{ n: number }>(`select count(*) as n from events`).one().n).toBe(900);
    });
    const from = Date.now() - 91 * DAY;
    const days = await apiSeries(business.id, `bucket=1d&from=${from}`);
    expect(days.reduce((a, p) => a + p.count, 0)).toBe(2700);
    const sums = await apiSeries(business.id, `fn=sum&field=durationMs&bucket=1d&from=${from}`);
    const total = sent.reduce((a, e) => a + e.durationMs, 0);
    expect(sums.reduce((a, p) => a + (p.value ?? 0), 0)).toBe(total);
    // A sub-hour bucket reads the events themselves: only the kept ones, and the answer says so.
    const minutes = await apiSeries(business.id, `bucket=30m&from=${from}`);
    expect(minutes.reduce((a, p) => a + p.count, 0)).toBe(900);
    const pruned = Math.max(...sent.slice(0, 1800).map((e) => Date.parse(e.timestamp)));
    const flagged = async (query: string) =>
      (await seriesAnswer(business.id, query)).incompleteBefore;
    expect(await flagged(`bucket=30m&from=${from}`)).toBe(new Date(pruned).toISOString());
    // Whole hours, grouped or not: from the rollups, complete; a range after the pruned events: complete.
    expect(await flagged(`bucket=1d&from=${from}&groupBy=routeId`)).toBeNull();
    expect(await flagged(`bucket=1d&from=${from}`)).toBeNull();
    expect(await flagged(`bucket=30m&from=${pruned + 1}`)).toBeNull();
  }, 60_000);

  it("copy each business's hourly activity to D1, dropping hours older than two days but the newest", async () => {
    const { business, token } = await businessWithSource();
    // Five events within one hour ten days ago.
    const hour = Date.now() - 10 * DAY - ((Date.now() - 10 * DAY) % HOUR_MS);
    const old = Array.from({ length: 5 }, (_, i) => ({
      timestamp: new Date(hour + (i + 1) * 60_000).toISOString(),
      routeId: "R1",
      durationMs: i,
    }));
    const recent = spread(12, 3 * HOUR_MS);
    await ingestAll(business.id, token, old);
    await rollUpNow(business.id);
    const rows = () =>
      env.DB.prepare(
        `select hour, events, last_at from activity_hours where business_id = ? order by hour`,
      )
        .bind(business.id)
        .all<{ hour: number; events: number; last_at: number }>()
        .then((r) => r.results);
    // Ten days old, but the newest it has: kept, for its last event time.
    const first = await rows();
    expect(first.reduce((a, r) => a + r.events, 0)).toBe(5);
    expect(Math.max(...first.map((r) => r.last_at))).toBe(
      Math.max(...old.map((e) => Date.parse(e.timestamp))),
    );
    await ingestAll(business.id, token, recent);
    await rollUpNow(business.id);
    const second = await rows();
    expect(second.every((r) => r.hour >= Date.now() - 2 * DAY)).toBe(true);
    expect(second.reduce((a, r) => a + r.events, 0)).toBe(12);
    expect(Math.max(...second.map((r) => r.last_at))).toBe(
      Math.max(...recent.map((e) => Date.parse(e.timestamp))),
    );
  }, 60_000);
});

describe("pruning under load", () => {
  it("runs sooner when events arrive fast or the object holds far more than maxEvents", async () => {
    const { business, token } = await businessWithSource({
      retention: { days: 30, maxEvents: 1000 },
    });
    const stub = stubOf(business.id);
    const prune = () =>
      runInDurableObject(
        stub,
        (_o, state) =>
          state.storage.sql
            .exec<{ due: number }>(`select due from schedule where kind = 'prune'`)
            .one().due,
      );
    await ingestAll(business.id, token, spread(500, HOUR_MS));
    // Half of maxEvents: the quiet plan, a quarter of an hour away.
    expect((await prune()) - Date.now()).toBeGreaterThan(14 * 60_000);
    await ingestAll(business.id, token, spread(700, HOUR_MS));
    // 1,200 kept against 1,000 allowed: pruning comes within seconds.
    const soon = (await prune()) - Date.now();
    expect(soon).toBeLessThanOrEqual(PRUNE_MIN_INTERVAL_MS);
    expect(soon).toBeGreaterThan(0);

    await runInDurableObject(stub, (_o, state) => {
      const sql = state.storage.sql;
      const now = Date.now();
      // 1,200 held under a `maxEvents` of 2,000: the rate decides.
      const roomy = { days: 30, maxEvents: 2000 };
      // The first run has no rate to go by; then 1,200 events in a second is fast, none is quiet.
      expect(nextPruneDelay(sql, roomy, now)).toBe(PRUNE_INTERVAL_MS);
      sql.exec(
        `update meta set value = ? where key = 'prune_mark'`,
        JSON.stringify({ seq: 0, at: now - 1000 }),
      );
      expect(nextPruneDelay(sql, roomy, now)).toBe(PRUNE_MIN_INTERVAL_MS);
      expect(nextPruneDelay(sql, roomy, now + 5000)).toBe(PRUNE_INTERVAL_MS);
      // A moderate rate, 0.5 event/s: a tenth of maxEvents (200 events) comes in 400 s.
      sql.exec(
        `update meta set value = ? where key = 'prune_mark'`,
        JSON.stringify({ seq: 1200 - 50, at: now - 100_000 }),
      );
      expect(nextPruneDelay(sql, roomy, now)).toBe(400_000);
      // 1,200 held against 1,000 after a run (nothing archived or rolled up yet to
      // delete, as right after one burst): again within seconds, though none arrive now.
      const tight = { days: 30, maxEvents: 1000 };
      expect(nextPruneDelay(sql, tight, now + 10_000)).toBe(PRUNE_MIN_INTERVAL_MS);
      expect(nextPruneDelay(sql, tight, now + 20_000)).toBe(PRUNE_MIN_INTERVAL_MS);
    });
  }, 60_000);
});
