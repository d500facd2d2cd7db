import {
  env,
  evictDurableObject,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { archivedSeq, flushArchive } from "../../workers/business/archive";
import { pruneEvents } from "../../workers/business/retention";
import { rollUp } from "../../workers/business/rollup";
import { businessWithSource, ingest, listEvents } from "../helpers";

const stubOf = (businessId: string) => env.BUSINESS.get(env.BUSINESS.idFromName(businessId));

function events(n: number, from = 0) {
  return Array.from({ length: n }, (_, i) => ({
    timestamp: Date.now() - 120_000 + from + i,
    routeId: `R${(from + i) % 4}`,
    durationMs: from + i,
    status: (from + i) % 5 === 0 ? "FAILED" : "OK",
  }));
}

/** Reads every archived object of a business and returns the event positions in them. */
async function archivedSeqs(businessId: string): Promise<number[]> {
  const listed = await env.ARCHIVE.list({ prefix: `events/${businessId}/` });
  const seqs: number[] = [];
  for (const o of listed.objects) {
    const body = await (await env.ARCHIVE.get(o.key))?.text();
    for (const line of body?.trim().split("\n") ?? []) seqs.push(JSON.parse(line).seq);
  }
  return seqs.sort((a, b) => a - b);
}

/** An R2 bucket that fails the way a real outage would: before or after the write lands. */
function failing(bucket: R2Bucket, when: "before" | "after"): R2Bucket {
  return new Proxy(bucket, {
    get(target, prop) {
      if (prop === "put") {
        return async (...args: Parameters<R2Bucket["put"]>) => {
          if (when === "after") await target.put(...args);
          throw new Error("R2 unavailable");
        };
      }
      return Reflect.get(target, prop);
    },
  });
}

describe("event history in the business Durable Object", () => {
  it("keeps accepted events when the object is evicted", async () => {
    const { business, token } = await businessWithSource();
    expect((await ingest(business.id, token, events(20))).status).toBe(202);
    await evictDurableObject(stubOf(business.id));
    const stored = await listEvents(business.id, "limit=100");
    expect(stored.items).toHaveLength(20);
  });

  it("archives to R2 through failures without losing or doubling an event", async () => {
    const { business, token } = await businessWithSource();
    await ingest(business.id, token, events(10));
    const stub = stubOf(business.id);

    await runInDurableObject(stub, async (_i, state) => {
      await expect(
        flushArchive(state.storage, failing(env.ARCHIVE, "before"), business.id),
      ).rejects.toThrow();
    });
    await ingest(business.id, token, events(5, 10));
    await runInDurableObject(stub, async (_i, state) => {
      // The write lands but the object fails before it records that: the retry must rewrite the same object.
      await expect(
        flushArchive(state.storage, failing(env.ARCHIVE, "after"), business.id),
      ).rejects.toThrow();
      expect(await flushArchive(state.storage, env.ARCHIVE, business.id)).toBe(true);
      expect(await flushArchive(state.storage, env.ARCHIVE, business.id)).toBe(false);
      expect(archivedSeq(state.storage.sql)).toBe(15);
    });
    expect(await archivedSeqs(business.id)).toEqual(Array.from({ length: 15 }, (_, i) => i + 1));
    const keys = (await env.ARCHIVE.list({ prefix: `events/${business.id}/` })).objects.map(
      (o) => o.key,
    );
    expect(keys).toHaveLength(2);
    expect([...keys].sort()).toEqual(keys);
    expect(keys[0]).toMatch(/\/\d{4}\/\d{2}\/\d{2}\/\d{2}\/000000000001-000000000010\.ndjson$/);
  });

  it("archives each event as one JSON line with its position, times, source and exact fields", async () => {
    const { business, token, sourceId } = await businessWithSource();
    const odd = [
      { timestamp: Date.now() - 5000, routeId: 'quo"te\\back\nline', durationMs: 0.1 },
      { timestamp: Date.now() - 4000, routeId: "Zürich ✓ 🚀", durationMs: -12.5e3 },
    ];
    expect((await ingest(business.id, token, odd)).status).toBe(202);
    await ingest(business.id, token, odd[1]);
    await runInDurableObject(stubOf(business.id), async (_i, state) => {
      expect(await flushArchive(state.storage, env.ARCHIVE, business.id)).toBe(false);
    });
    const [object] = (await env.ARCHIVE.list({ prefix: `events/${business.id}/` })).objects;
    const body = (await (await env.ARCHIVE.get(object?.key ?? ""))?.text()) ?? "";
    expect(body.endsWith("}\n")).toBe(true);
    const stored = (await listEvents(business.id, "limit=10")).items.reverse();
    // Byte for byte: each line is the event's JSON, in position order.
    expect(body.trimEnd().split("\n")).toEqual(
      stored.map((e) =>
        JSON.stringify({
          seq: Number(e.id),
          time: Date.parse(e.time),
          received: Date.parse((e as unknown as { receivedAt: string }).receivedAt),
          source: sourceId,
          data: e.data,
        }),
      ),
    );
    expect(stored.map((e) => e.data)).toEqual([odd[0], odd[1], odd[1]]);
  });

  it("archives from the alarm when the flush is due", async () => {
    const { business, token } = await businessWithSource();
    await ingest(business.id, token, events(7));
    const stub = stubOf(business.id);
    await runInDurableObject(stub, async (_i, state) => {
      expect(await state.storage.getAlarm()).not.toBeNull();
      state.storage.sql.exec(`update schedule set due = 0 where kind = 'archive'`);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await archivedSeqs(business.id)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    await runInDurableObject(stub, async (_i, state) => {
      const kinds = state.storage.sql
        .exec<{ kind: string }>(`select kind from schedule`)
        .toArray()
        .map((r) => r.kind);
      expect(kinds).not.toContain("archive");
      expect(kinds).toContain("prune");
    });
  });

  it("writes no schedule row nor alarm while the planned jobs stand, and plans again once they ran", async () => {
    const { business, token } = await businessWithSource();
    await ingest(business.id, token, events(7));
    const stub = stubOf(business.id);
    const plan = () =>
      runInDurableObject(stub, async (_i, state) => ({
        alarm: await state.storage.getAlarm(),
        rows: Object.fromEntries(
          state.storage.sql
            .exec<{ kind: string; due: number }>(`select kind, due from schedule`)
            .toArray()
            .map((r) => [r.kind, r.due]),
        ),
      }));
    const before = await plan();
    expect(Object.keys(before.rows).sort()).toEqual(["analytics", "archive", "prune", "rollup"]);
    expect(before.alarm).toBe(Math.min(...Object.values(before.rows)));
    await runInDurableObject(stub, async (_i, state) => {
      state.storage.sql.exec(`create table schedule_writes (n integer)`);
      state.storage.sql.exec(
        `create trigger schedule_written after update on schedule begin insert into schedule_writes values (1); end`,
      );
    });
    await ingest(business.id, token, events(3, 7));
    await ingest(business.id, token, events(3, 10));
    expect(await plan()).toEqual(before);
    await runInDurableObject(stub, async (_i, state) => {
      const sql = state.storage.sql;
      expect(sql.exec<{ n: number }>(`select count(*) as n from schedule_writes`).one().n).toBe(0);
      sql.exec(`drop trigger schedule_written`);
      sql.exec(`update schedule set due = 0 where kind = 'archive'`);
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await archivedSeqs(business.id)).toHaveLength(13);
    expect((await plan()).rows.archive).toBeUndefined();
    // The archive ran: the next event must plan it again, and the alarm with it.
    await ingest(business.id, token, events(1, 13));
    const after = await plan();
    expect(after.rows.archive).toBeGreaterThan(Date.now());
    expect(after.alarm).toBe(Math.min(...Object.values(after.rows)));
  });

  it("prunes by age and by count, but never an event that is not archived and rolled up", async () => {
    const { business, token } = await businessWithSource();
    await ingest(business.id, token, events(30));
    const stub = stubOf(business.id);
    await runInDurableObject(stub, async (_i, state) => {
      const sql = state.storage.sql;
      sql.exec(`update events set time = time - 10 * 86400000 where seq <= 10`);
      // Nothing archived yet: nothing may go.
      pruneEvents(sql, { days: 5, maxEvents: 1000 }, Date.now());
      expect(sql.exec<{ n: number }>(`select count(*) as n from events`).one().n).toBe(30);

      await flushArchive(state.storage, env.ARCHIVE, business.id);
      rollUp(state.storage, []);
      pruneEvents(sql, { days: 5, maxEvents: 1000 }, Date.now());
      expect(sql.exec<{ n: number }>(`select min(seq) as n from events`).one().n).toBe(11);
      pruneEvents(sql, { days: 5, maxEvents: 15 }, Date.now());
      const left = sql
        .exec<{ seq: number }>(`select seq from events order by seq`)
        .toArray()
        .map((r) => r.seq);
      expect(left).toEqual(Array.from({ length: 15 }, (_, i) => i + 16));
    });
  });
});

describe("GET events", () => {
  it("pages newest first with a cursor and filters by time range and field value", async () => {
    const { business, token } = await businessWithSource();
    const sent = events(25);
    await ingest(business.id, token, sent);
    const seen: number[] = [];
    let cursor: string | null = "";
    while (cursor !== null) {
      const page = await listEvents(business.id, `limit=10${cursor ? `&cursor=${cursor}` : ""}`);
      seen.push(...page.items.map((e) => e.data.durationMs as number));
      cursor = page.nextCursor;
    }
    expect(seen).toEqual(sent.map((e) => e.durationMs).reverse());

    const from = new Date(sent[5]?.timestamp ?? 0).toISOString();
    const to = String(sent[10]?.timestamp);
    const ranged = await listEvents(business.id, `from=${from}&to=${to}`);
    expect(ranged.items.map((e) => e.data.durationMs)).toEqual([9, 8, 7, 6, 5]);

    const filtered = await listEvents(business.id, "field=routeId&value=R1");
    expect(filtered.items.every((e) => e.data.routeId === "R1")).toBe(true);
    expect(filtered.items).toHaveLength(6);
    const numeric = await listEvents(business.id, "field=durationMs&value=7");
    expect(numeric.items.map((e) => e.data.durationMs)).toEqual([7]);
  });

  it("refuses unknown filter fields and bad times with 422", async () => {
    const { business } = await businessWithSource();
    const { call } = await import("../helpers");
    for (const q of [
      "field=nope&value=1",
      "field=routeId",
      "from=yesterday",
      "cursor=abc",
      "from=2026-01-02T00:00:00Z&to=2026-01-01T00:00:00Z",
    ]) {
      const res = await call("GET", `/v1/businesses/${business.id}/events?${q}`);
      expect(res.status, q).toBe(422);
    }
  });
});

describe("GET series", () => {
  it("buckets count, sum, avg, min and max, optionally per group", async () => {
    const { business, token } = await businessWithSource();
    const base = Math.floor((Date.now() - 3 * 3_600_000) / 3_600_000) * 3_600_000;
    const sent = [
      { timestamp: base + 1000, routeId: "A", durationMs: 10 },
      { timestamp: base + 2000, routeId: "B", durationMs: 30 },
      { timestamp: base + 3_600_000 + 5, routeId: "A", durationMs: 50 },
    ];
    await ingest(business.id, token, sent);
    const { call } = await import("../helpers");
    const range = `from=${base}&to=${base + 2 * 3_600_000}&bucket=1h`;
    const get = async (q: string) =>
      (await call("GET", `/v1/businesses/${business.id}/series?${range}&${q}`)).json;

    expect((await get("fn=count")).items).toEqual([
      { time: new Date(base).toISOString(), value: 2, count: 2 },
      { time: new Date(base + 3_600_000).toISOString(), value: 1, count: 1 },
    ]);
    expect(
      (await get("field=durationMs&fn=sum")).items.map((p: { value: number }) => p.value),
    ).toEqual([40, 50]);
    expect((await get("field=durationMs")).items.map((p: { value: number }) => p.value)).toEqual([
      20, 50,
    ]);
    expect(
      (await get("field=durationMs&fn=min")).items.map((p: { value: number }) => p.value),
    ).toEqual([10, 50]);
    expect(
      (await get("field=durationMs&fn=max")).items.map((p: { value: number }) => p.value),
    ).toEqual([30, 50]);
    const grouped = await get("field=durationMs&fn=sum&groupBy=routeId");
    expect(grouped.items).toEqual([
      { time: new Date(base).toISOString(), group: "A", value: 10, count: 1 },
      { time: new Date(base).toISOString(), group: "B", value: 30, count: 1 },
      { time: new Date(base + 3_600_000).toISOString(), group: "A", value: 50, count: 1 },
    ]);
    expect(grouped).toMatchObject({
      fn: "sum",
      bucket: "1h",
      groupBy: "routeId",
      field: "durationMs",
    });
  });

  it("refuses series that cannot be computed", async () => {
    const { business } = await businessWithSource();
    const { call } = await import("../helpers");
    for (const q of [
      "fn=sum",
      "field=routeId&fn=avg",
      "field=nope",
      "bucket=1s&from=0",
      "bucket=0m",
      "groupBy=nope",
    ]) {
      const res = await call("GET", `/v1/businesses/${business.id}/series?${q}`);
      expect(res.status, q).toBe(422);
    }
  });

  it("answers 422 naming the parameter for times outside 1970-9999, never a 500", async () => {
    const { business } = await businessWithSource();
    const { call } = await import("../helpers");
    const cases: [string, string][] = [
      ["from=8700000000000000&to=9000000000000000&bucket=999999d", "to"],
      ["from=0&to=9007199254740991", "to"],
      ["from=1764000000&to=1764003600", "to"],
      ["from=2026-02-30T00:00:00Z", "from"],
      ["to=99999999999999999999999", "to"],
    ];
    for (const [q, param] of cases) {
      const res = await call("GET", `/v1/businesses/${business.id}/series?${q}`);
      expect(res.status, q).toBe(422);
      expect(res.headers.get("content-type")).toBe("application/problem+json");
      expect(res.json.errors[0].path, q).toBe(param);
      const events = await call(
        "GET",
        `/v1/businesses/${business.id}/events?${q.replace(/&bucket=.*/, "")}`,
      );
      expect(events.status, q).toBe(422);
    }
    // The widest valid range still answers, with a default bucket that fits it.
    const wide = await call(
      "GET",
      `/v1/businesses/${business.id}/series?from=0&to=253402300799999`,
    );
    expect(wide.status).toBe(200);
    expect(wide.json.items.length).toBeLessThanOrEqual(120);
    const cursor = await call("GET", `/v1/businesses/${business.id}/events?cursor=9e99.1`);
    expect(cursor.status).toBe(422);
    expect(cursor.json.errors[0].path).toBe("cursor");
  });
});

describe("deleting a business", () => {
  it("clears its Durable Object", async () => {
    const { business, token } = await businessWithSource();
    await ingest(business.id, token, events(3));
    const { call } = await import("../helpers");
    expect((await call("DELETE", `/v1/businesses/${business.id}`)).status).toBe(204);
    await runInDurableObject(stubOf(business.id), async (_i, state) => {
      expect(await state.storage.getAlarm()).toBeNull();
      const tables = state.storage.sql
        .exec(`select name from sqlite_master where name = 'events'`)
        .toArray();
      const count = tables.length
        ? state.storage.sql.exec<{ n: number }>(`select count(*) as n from events`).one().n
        : 0;
      expect(count).toBe(0);
    });
  });
});

async function definitionOf(businessId: string) {
  const { getBusiness } = await import("../../workers/definitions/businesses");
  const { database } = await import("../../workers/lib/db");
  return getBusiness(database(env.DB), businessId);
}

describe("Analytics Engine data points", () => {
  /** Records what would be sent to Analytics Engine (the local binding cannot be read back). */
  const recorder = () => {
    const points: AnalyticsEngineDataPoint[] = [];
    return {
      points,
      dataset: { writeDataPoint: (p?: AnalyticsEngineDataPoint) => p && points.push(p) },
    };
  };

  it("maps each event to one point: business index, string blobs, time, weight and numeric doubles", async () => {
    const { business, token } = await businessWithSource();
    await ingest(business.id, token, events(3));
    const full = await definitionOf(business.id);
    await runInDurableObject(stubOf(business.id), async (_i, state) => {
      const { writeAnalytics } = await import("../../workers/business/analytics");
      const r = recorder();
      writeAnalytics(state.storage.sql, r.dataset as AnalyticsEngineDataset, full);
      expect(r.points).toHaveLength(3);
      const [first] = r.points;
      expect(first?.indexes).toEqual([business.id]);
      expect(first?.blobs).toEqual(["R0", "FAILED"]);
      expect(first?.doubles?.slice(1)).toEqual([1, 0]);
      // Nothing new: nothing written twice.
      const again = recorder();
      writeAnalytics(state.storage.sql, again.dataset as AnalyticsEngineDataset, full);
      expect(again.points).toHaveLength(0);
    });
  });

  it("samples a backlog into at most 250 points whose weights add up to every event", async () => {
    const { business, token } = await businessWithSource();
    await ingest(business.id, token, events(1001));
    const full = await definitionOf(business.id);
    await runInDurableObject(stubOf(business.id), async (_i, state) => {
      const { writeAnalytics } = await import("../../workers/business/analytics");
      const r = recorder();
      writeAnalytics(state.storage.sql, r.dataset as AnalyticsEngineDataset, full);
      // Every fifth position (1,001 waiting over 250 points), each weighted by the events it stands for.
      expect(r.points).toHaveLength(201);
      expect(r.points.map((p) => p.doubles?.[1])).toEqual([...Array(200).fill(5), 1]);
      const total = r.points.reduce((sum, p) => sum + (p.doubles?.[1] ?? 0), 0);
      expect(total).toBe(1001);
    });
  });
});
