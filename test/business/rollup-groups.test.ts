import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import type { SeriesPoint } from "../../schema/contracts/events";
import { flushArchive } from "../../workers/business/archive";
import { series } from "../../workers/business/events";
import { pruneEvents } from "../../workers/business/retention";
import { HOUR_MS, rollUp } from "../../workers/business/rollup";
import { valuesPerHour } from "../../workers/business/rollup-groups";
import { monitorOf } from "../../workers/definitions/monitor";
import {
  businessWithSource,
  createBusiness,
  createSource,
  ingest,
  rollUpNow,
  seriesAnswer,
} from "../helpers";

const DAY = 86_400_000;
const RETENTION = { days: 30, maxEvents: 100_000 };
/** Route names with quotes, unicode and an empty-looking one; `status` is missing on some events. */
const ROUTES = [`R"1'`, "Zürich ✓", "r\\2", "R 🚀"];
const STATUS = ["OK", "FAILED", undefined];

/** `n` events evenly spread over `span` ms ending a minute ago. */
function spread(n: number, span: number, offset = 0) {
  const end = Date.now() - 60_000;
  return Array.from({ length: n }, (_, i) => {
    const status = STATUS[i % 3];
    return {
      timestamp: new Date(end - span + Math.floor(((i + 0.5) * span) / n) + offset).toISOString(),
      routeId: ROUTES[(i * 7) % ROUTES.length] ?? "",
      durationMs: (i * 37) % 1000,
      ...(status ? { status } : {}),
    };
  });
}
type Sent = ReturnType<typeof spread>[number];

async function ingestAll(businessId: string, token: string, events: unknown[]) {
  for (let i = 0; i < events.length; i += 500) {
    expect((await ingest(businessId, token, events.slice(i, i + 500))).status).toBe(202);
  }
}

/** Archives, rolls up and prunes every object given, as the jobs would. */
async function archiveRollPrune(businessId: string, stubs: DurableObjectStub[], by: string[]) {
  for (const stub of stubs)
    await runInDurableObject(stub, async (_o, state) => {
      while (await flushArchive(state.storage, env.ARCHIVE, businessId));
      while (rollUp(state.storage, ["durationMs"], undefined, by));
      while (pruneEvents(state.storage.sql, RETENTION, Date.now()));
    });
}

/** Per day and group: the events sent and their durations' sum. */
function expected(sent: Sent[], group: (e: Sent) => string) {
  const want = new Map<string, { count: number; sum: number }>();
  for (const e of sent) {
    const t = Date.parse(e.timestamp);
    const key = `${new Date(t - (t % DAY)).toISOString()}|${group(e)}`;
    const w = want.get(key) ?? { count: 0, sum: 0 };
    w.count += 1;
    w.sum += e.durationMs;
    want.set(key, w);
  }
  return want;
}

const keyed = (items: SeriesPoint[]) =>
  new Map(items.map((p) => [`${p.time}|${p.group}`, p.value]));

describe("grouped hourly rollups", () => {
  it("keep a 90-day series grouped by a field whole after its events are pruned", async () => {
    const { business, token } = await businessWithSource({ retention: RETENTION });
    const sent = spread(2700, 90 * DAY);
    await ingestAll(business.id, token, sent);
    const stub = monitorOf(env, business.id);
    await runInDurableObject(stub, async (_o, state) => {
      while (await flushArchive(state.storage, env.ARCHIVE, business.id));
    });
    await rollUpNow(business.id); // the job: grouped by every string, enum and boolean field
    await runInDurableObject(stub, (_o, state) => {
      const sql = state.storage.sql;
      while (pruneEvents(sql, RETENTION, Date.now()));
      expect(sql.exec<{ n: number }>(`select count(*) as n from events`).one().n).toBe(900);
    });
    const from = Date.now() - 91 * DAY;
    for (const [by, group] of [
      ["routeId", (e: Sent) => e.routeId],
      ["status", (e: Sent) => e.status ?? ""],
    ] as const) {
      const want = expected(sent, group);
      const counts = await seriesAnswer(business.id, `bucket=1d&from=${from}&groupBy=${by}`);
      const sums = await seriesAnswer(
        business.id,
        `fn=sum&field=durationMs&bucket=1d&from=${from}&groupBy=${by}`,
      );
      expect(counts.incompleteBefore).toBeNull();
      expect(sums.incompleteBefore).toBeNull();
      expect(keyed(counts.items)).toEqual(new Map([...want].map(([k, w]) => [k, w.count])));
      expect(keyed(sums.items)).toEqual(new Map([...want].map(([k, w]) => [k, w.sum])));
    }
    // One value of the group, with quotes and unicode.
    const one = await seriesAnswer(
      business.id,
      `bucket=1d&from=${from}&groupBy=routeId&group=${encodeURIComponent(ROUTES[0] ?? "")}`,
    );
    expect(one.items.reduce((a, p) => a + p.count, 0)).toBe(
      sent.filter((e) => e.routeId === ROUTES[0]).length,
    );
    // A sub-hour bucket still reads the kept events only, and says so.
    const minutes = await seriesAnswer(business.id, `bucket=30m&from=${from}&groupBy=routeId`);
    expect(minutes.incompleteBefore).not.toBeNull();
  }, 90_000);

  it("flag an hour with more values than they keep once its events are pruned, never answer it wrong", async () => {
    const { business, token } = await businessWithSource({ retention: RETENTION });
    const stub = monitorOf(env, business.id);
    // Forty days ago, one hour with one value too many; a day later an hour with three values.
    const crowded = Math.floor((Date.now() - 40 * DAY) / HOUR_MS) * HOUR_MS;
    const calm = crowded + DAY;
    // Grouped by routeId and status, with durationMs: one value over the bound of that shape.
    const many = Array.from({ length: valuesPerHour(2, 1) + 1 }, (_, i) => ({
      timestamp: new Date(crowded + i * 1000).toISOString(),
      routeId: `R${i}`,
      durationMs: i,
    }));
    const few = Array.from({ length: 9 }, (_, i) => ({
      timestamp: new Date(calm + i * 60_000).toISOString(),
      routeId: `R${i % 3}`,
      durationMs: i,
    }));
    await ingestAll(business.id, token, [...many, ...few]);
    const query = `bucket=1h&from=${crowded - DAY}&to=${calm + DAY}&groupBy=routeId`;
    await runInDurableObject(stub, async (_o, state) => {
      while (await flushArchive(state.storage, env.ARCHIVE, business.id));
    });
    await rollUpNow(business.id);
    await runInDurableObject(stub, (_o, state) => {
      const rows = (by: string) =>
        state.storage.sql
          .exec<{ n: number }>(
            `select count(*) as n from rollup_groups where by = ? and hour = ?`,
            by,
            crowded,
          )
          .one().n;
      // The crowded hour's routes are not kept (its one status, missing, is: events and durationMs).
      expect(rows("routeId")).toBe(0);
      expect(rows("status")).toBe(2);
    });
    // Kept: the overflowed hour is read from its events, complete.
    const kept = await seriesAnswer(business.id, query);
    expect(kept.incompleteBefore).toBeNull();
    expect(kept.items.filter((p) => Date.parse(p.time) === crowded)).toHaveLength(many.length);
    await runInDurableObject(stub, (_o, state) => {
      while (pruneEvents(state.storage.sql, RETENTION, Date.now()));
    });
    const pruned = await seriesAnswer(business.id, query);
    // Flagged up to the end of the overflowed hour; the calm hour comes whole from the rollups.
    expect(pruned.incompleteBefore).toBe(new Date(crowded + HOUR_MS).toISOString());
    expect(pruned.items.filter((p) => Date.parse(p.time) === crowded)).toEqual([]);
    expect(pruned.items.map((p) => [p.group, p.count])).toEqual([
      ["R0", 3],
      ["R1", 3],
      ["R2", 3],
    ]);
    // The ungrouped series of the same hours stays complete.
    const total = await seriesAnswer(
      business.id,
      `bucket=1h&from=${crowded - DAY}&to=${calm + DAY}`,
    );
    expect(total.incompleteBefore).toBeNull();
    expect(total.items.reduce((a, p) => a + p.count, 0)).toBe(many.length + few.length);
  }, 90_000);

  it("answer whole-hour grouped series as the events do, partly rolled up, with ragged edges", async () => {
    const { business, token } = await businessWithSource();
    await ingestAll(business.id, token, spread(600, 30 * HOUR_MS));
    const stub = monitorOf(env, business.id);
    await runInDurableObject(stub, (_o, state) => {
      rollUp(state.storage, ["durationMs"], 250, ["routeId", "status"]);
    });
    await ingestAll(business.id, token, spread(90, 30 * HOUR_MS, 1234));
    const from = Date.now() - 27 * HOUR_MS - 1_234_567;
    const to = Date.now() - 2 * HOUR_MS - 765_432;
    const cases = [
      ["count", null, "1h", "routeId", null],
      ["count", "durationMs", "2h", "status", null],
      ["sum", "durationMs", "1h", "routeId", null],
      ["avg", "durationMs", "3h", "status", null],
      ["min", "durationMs", "1h", "routeId", ROUTES[1] ?? null],
      ["max", "durationMs", "6h", "status", "OK"],
      // Counting a string field: not rolled up, so its hours are read from the events.
      ["count", "status", "1h", "routeId", null],
      ["count", "status", "1h", null, null],
    ] as const;
    for (const [fn, field, bucket, groupBy, group] of cases) {
      const query = `fn=${fn}${field ? `&field=${field}` : ""}&bucket=${bucket}&from=${from}&to=${to}${groupBy ? `&groupBy=${groupBy}` : ""}${group ? `&group=${encodeURIComponent(group)}` : ""}`;
      const got = await seriesAnswer(business.id, query);
      const want = await runInDurableObject(stub, (_o, state) =>
        series(state.storage.sql, {
          field,
          fn,
          bucketMs: Number.parseInt(bucket, 10) * HOUR_MS,
          from,
          to,
          groupBy,
          group,
        }),
      );
      expect(got.incompleteBefore).toBeNull();
      expect(got.items.length).toBeGreaterThan(3);
      expect(got.items.map((p) => [p.time, p.group, p.count])).toEqual(
        want.map((p) => [p.time, p.group, p.count]),
      );
      got.items.forEach((p, i) => {
        expect(p.value).toBeCloseTo(want[i]?.value ?? Number.NaN, 6);
      });
    }
  }, 90_000);

  it("merge a sharded business's grouped rollups: a 90-day series by a field spanning shards is whole", async () => {
    const business = await createBusiness({
      retention: RETENTION,
      shards: 4,
      shardKey: "deviceId",
      fields: [
        { name: "timestamp", type: "timestamp" },
        { name: "deviceId", type: "string", required: true },
        { name: "routeId", type: "string", required: true },
        { name: "durationMs", type: "number", required: true },
      ],
    });
    const { token } = await createSource(business.id);
    const sent = spread(2000, 90 * DAY).map((e, i) => ({
      timestamp: e.timestamp,
      deviceId: `D${i % 16}`,
      routeId: e.routeId,
      durationMs: e.durationMs,
    }));
    await ingestAll(business.id, token, sent);
    const stubs = [0, 1, 2, 3].map((shard) => monitorOf(env, business.id, shard));
    await archiveRollPrune(business.id, stubs, ["deviceId", "routeId"]);
    const held = await Promise.all(
      stubs.map((stub) =>
        runInDurableObject(
          stub,
          (_o, state) =>
            state.storage.sql.exec<{ n: number }>(`select count(*) as n from events`).one().n,
        ),
      ),
    );
    expect(held.filter((n) => n > 0).length).toBeGreaterThan(1);
    expect(held.reduce((a, n) => a + n, 0)).toBeLessThan(800);
    const from = Date.now() - 91 * DAY;
    const sums = await seriesAnswer(
      business.id,
      `fn=sum&field=durationMs&bucket=1d&from=${from}&groupBy=routeId`,
    );
    expect(sums.incompleteBefore).toBeNull();
    const want = expected(sent as Sent[], (e) => e.routeId);
    expect(keyed(sums.items)).toEqual(new Map([...want].map(([k, w]) => [k, w.sum])));
  }, 120_000);
  it("fold more pairs than one compound SELECT of a Durable Object takes (9), and the job finishes", async () => {
    // Three grouped fields × (the events + two numeric fields): 9 pairs. The object's SQLite
    // takes 5 terms in a compound SELECT; the fold's one `union all` per pair made every run
    // of the rollup job fail, so nothing was rolled up or pruned.
    const { business, token } = await businessWithSource({
      retention: RETENTION,
      fields: [
        { name: "timestamp", type: "timestamp" },
        { name: "routeId", type: "string", required: true },
        { name: "status", type: "enum", values: ["OK", "FAILED"] },
        { name: "site", type: "string" },
        { name: "durationMs", type: "number", required: true },
        { name: "bytes", type: "number" },
      ],
    });
    const end = Date.now() - 2 * 3_600_000;
    const sent = Array.from({ length: 300 }, (_, i) => ({
      timestamp: new Date(end - i * 600_000).toISOString(),
      routeId: ROUTES[i % ROUTES.length] ?? "",
      status: i % 5 ? "OK" : "FAILED",
      site: `S${i % 3}`,
      durationMs: i % 100,
      ...(i % 4 ? { bytes: i } : {}),
    }));
    await ingestAll(business.id, token, sent);
    await rollUpNow(business.id);
    const rows = await runInDurableObject(monitorOf(env, business.id), (_o, state) =>
      state.storage.sql
        .exec<{ by: string; field: string; grp: string; e: number; n: number; total: number }>(
          `select by, field, grp, sum(e) as e, sum(n) as n, sum(total) as total
           from rollup_groups group by by, field, grp order by by, field, grp`,
        )
        .toArray(),
    );
    // Every pair folded every event once.
    const pairs = new Set(rows.map((r) => `${r.by}|${r.field}`));
    expect(pairs.size).toBe(9);
    for (const by of ["routeId", "status", "site"])
      for (const field of ["", "durationMs", "bytes"]) {
        const of = rows.filter((r) => r.by === by && r.field === field);
        expect(
          of.reduce((a, r) => a + r.e, 0),
          `${by} ${field}`,
        ).toBe(sent.length);
      }
    for (const site of ["S0", "S1", "S2"]) {
      const mine = sent.filter((e) => e.site === site);
      const bytes = rows.find((r) => r.by === "site" && r.field === "bytes" && r.grp === site);
      expect(bytes?.n).toBe(mine.filter((e) => e.bytes !== undefined).length);
      expect(bytes?.total).toBe(mine.reduce((a, e) => a + (e.bytes ?? 0), 0));
    }
  }, 60_000);
});
