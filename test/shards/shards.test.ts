import {
  createExecutionContext,
  createMessageBatch,
  env,
  getQueueResult,
  runInDurableObject,
  SELF,
} from "cloudflare:test";
import type { InferRequestType } from "hono/client";
import { describe, expect, it } from "vitest";
import type { CoalescedMessage } from "../../workers/business/rpc";
import { fnv1a, shardOf } from "../../workers/business/shards/route";
import worker from "../../workers/index";
import { INGEST_QUEUE } from "../../workers/ingest/coalesce";
import {
  alertAction,
  api,
  type BusinessCreate,
  bodyOf,
  createRule,
  createSource,
  ingest,
  listEvents,
  problemOf,
  queryOf,
  type RuleCreate,
  send,
  statusOf,
  untypedBody,
} from "../helpers";
import { allAlerts, objectsOf, settleAll } from "./support";

const MIN = 60_000;
const fields: BusinessCreate["fields"] = [
  { name: "timestamp", type: "timestamp" },
  { name: "device", type: "string", required: true },
  { name: "site", type: "string" },
  { name: "value", type: "number" },
];

function create(body: Partial<BusinessCreate>) {
  return send(api.v1.businesses.$post({ json: { name: "Fleet", fields, ...body } }));
}

/** A business made by `create`, which must be answered 201. */
async function created(body: Partial<BusinessCreate>) {
  return bodyOf(await create(body), 201);
}

/** A business change as PATCH /v1/businesses/{id} takes it. */
type BusinessPatch = InferRequestType<(typeof api.v1.businesses)[":id"]["$patch"]>["json"];

const patch = (id: string, json: BusinessPatch) =>
  send(api.v1.businesses[":id"].$patch({ param: { id }, json }));

const getBusiness = async (id: string) =>
  bodyOf(await send(api.v1.businesses[":id"].$get({ param: { id } })), 200);

const remove = (id: string) => statusOf(api.v1.businesses[":id"].$delete({ param: { id } }));

/** Events stored in each object of the business, by device. */
async function storedPerObject(businessId: string, shards: number) {
  return Promise.all(
    objectsOf(businessId, shards).map((stub) =>
      runInDurableObject(stub, (_o, state) =>
        state.storage.sql
          .exec<{ device: string }>(`select data ->> '$.device' as device from events`)
          .toArray()
          .map((r) => r.device),
      ),
    ),
  );
}

describe("shard settings", () => {
  it("defaults to one shard and shows shards and shardKey", async () => {
    const res = await created({});
    expect(res).toMatchObject({ shards: 1, shardKey: null });
    const got = await getBusiness(res.id);
    expect(got).toMatchObject({ shards: 1, shardKey: null });
  });

  it("refuses a bad count or key with problem details naming the field", async () => {
    for (const [body, path] of [
      [{ shards: 0, shardKey: "device" }, "shards"],
      [{ shards: 65, shardKey: "device" }, "shards"],
      [{ shards: 2.5, shardKey: "device" }, "shards"],
      [{ shards: 4 }, "shardKey"],
      [{ shards: 4, shardKey: "nope" }, "shardKey"],
      [{ shards: 4, shardKey: "value" }, "shardKey"],
      [{ shards: 4, shardKey: "timestamp" }, "shardKey"],
      [{ shards: 4, shardKey: "1bad name" }, "shardKey"],
    ] as const) {
      const res = await create(body);
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect((problemOf(res).errors ?? []).map((e) => e.path)).toContain(path);
    }
  });

  it("takes the field most rules group by when shards are set without a key, before any event", async () => {
    const b = await created({});
    await createRule(b.id, { name: "a", kind: "absence", window: "1h", groupBy: "device" });
    await createRule(b.id, {
      name: "b",
      kind: "immediate",
      condition: "value > 1",
      groupBy: "device",
    });
    await createRule(b.id, {
      name: "c",
      kind: "immediate",
      condition: "value > 2",
      groupBy: "site",
    });
    const res = bodyOf(await patch(b.id, { shards: 8 }), 200);
    expect(res).toMatchObject({ shards: 8, shardKey: "device" });
    // A key of its own; and back to one shard: both fine while nothing was received.
    const keyed = bodyOf(await patch(b.id, { shardKey: "site" }), 200);
    expect(keyed).toMatchObject({ shards: 8, shardKey: "site" });
    const back = bodyOf(await patch(b.id, { shards: 1 }), 200);
    expect(back.shards).toBe(1);
    // Each layout change asks every object of the layout and reloads each (2.6 s alone, 7.7 s
    // in a full run on two shared cores): more than the default 5 s.
  }, 30_000);

  it("refuses to change the layout with 409 once events arrived; other settings still change", async () => {
    const b = await created({ shards: 4, shardKey: "device" });
    const { token } = await createSource(b.id);
    expect((await ingest(b.id, token, [{ device: "d1", value: 1 }])).status).toBe(202);
    for (const body of [{ shards: 8 }, { shards: 1 }, { shardKey: "site" }]) {
      const res = await patch(b.id, body);
      expect(res.status, JSON.stringify(body)).toBe(409);
      expect(problemOf(res).type).toContain("conflict");
    }
    const same = bodyOf(await patch(b.id, { shards: 4, name: "Renamed" }), 200);
    expect(same).toMatchObject({ shards: 4, shardKey: "device", name: "Renamed" });
  });

  it("the documented step works through the API: a new business with the layout, the rules copied, the sources moved", async () => {
    // A live business on one shard, with a rule and events.
    const old = await created({});
    await createRule(old.id, {
      name: "hot",
      kind: "immediate",
      condition: "value > 90",
      groupBy: "device",
      keepFiringFor: "5m",
    });
    const oldSource = await createSource(old.id);
    expect((await ingest(old.id, oldSource.token, [{ device: "d1", value: 1 }])).status).toBe(202);
    const refused = await patch(old.id, { shards: 4 });
    expect(refused.status).toBe(409);
    expect(problemOf(refused).detail).toContain('docs/capacity.md, "Changing the shard count"');

    // The step (docs/capacity.md): the same fields with the layout needed…
    const definition = await getBusiness(old.id);
    const { id } = await created({ fields: definition.fields, shards: 4, shardKey: "device" });
    // …its rules copied (what GET gives, less what the server owns)…
    const rules = bodyOf(
      await send(api.v1.businesses[":id"].rules.$get({ param: { id: old.id } })),
      200,
    ).items;
    for (const { id: _id, businessId, createdAt, updatedAt, status, ...rule } of rules) {
      await createRule(id, untypedBody(rule));
    }
    // …a source for the devices, and the old business deleted once its alerts no longer matter.
    const { token } = await createSource(id);
    expect(await remove(old.id)).toBe(204);

    const devices = Array.from({ length: 40 }, (_, i) => ({ device: `d${i}`, value: 95 }));
    expect((await ingest(id, token, devices)).status).toBe(202);
    await settleAll(id, 4);
    expect((await listEvents(id, "limit=100")).items).toHaveLength(40);
    const per = await storedPerObject(id, 4);
    expect(per.filter((devicesHere) => devicesHere.length > 0).length).toBeGreaterThan(1);
    const alerts = await allAlerts(id);
    expect(alerts.filter((a) => a.status === "open")).toHaveLength(40);
  }, 60_000);
});

describe("routing", () => {
  it("hashes stably (FNV-1a) and sends every event of a key to one shard", async () => {
    expect(fnv1a("")).toBe(0x811c9dc5);
    expect(fnv1a("a")).toBe(0xe40c292c);
    expect(fnv1a("foobar")).toBe(0xbf9cf968);
    expect(shardOf("dev-1", 1)).toBe(0);
    expect(shardOf(undefined, 4)).toBe(0);

    const b = await created({ shards: 4, shardKey: "device" });
    const { token } = await createSource(b.id);
    const now = Date.now();
    const events = Array.from({ length: 200 }, (_, i) => ({
      timestamp: now - (i % 50) * 1000,
      device: `dev-${i % 40}`,
      value: i,
    }));
    const res = await ingest(b.id, token, events);
    expect(res.status).toBe(202);
    expect(res.json.accepted).toBe(200);
    const stored = await storedPerObject(b.id, 4);
    // Coordinator holds no events; each shard only its own keys; all 200 are stored once.
    expect(stored[4]).toEqual([]);
    expect(stored.flat().length).toBe(200);
    stored.slice(0, 4).forEach((devices, shard) => {
      expect(devices.length).toBeGreaterThan(0);
      for (const d of devices) expect(shardOf(d, 4)).toBe(shard);
    });
  });
});

describe("other ways in", () => {
  it("the coalescing consumer splits queued requests by shard, and a redelivered one counts once", async () => {
    const b = await created({ shards: 4, shardKey: "device" });
    const { id: sourceId } = await createSource(b.id);
    const now = Date.now();
    const message = (id: string, from: number): CoalescedMessage => ({
      id,
      businessId: b.id,
      version: b.version,
      sourceId,
      receivedAt: now,
      events: Array.from({ length: 20 }, (_, i) => ({
        time: now - i * 1000,
        data: { device: `dev-${from + i}`, value: i },
      })),
      rejected: [],
      layout: { shards: 4, shardKey: "device" },
    });
    const deliver = async (messages: CoalescedMessage[]) => {
      const batch = createMessageBatch<CoalescedMessage>(
        INGEST_QUEUE,
        messages.map((body, i) => ({ id: `q-${i}`, timestamp: new Date(), attempts: 1, body })),
      );
      const ctx = createExecutionContext();
      await worker.queue(batch, env, ctx);
      return getQueueResult(batch, ctx);
    };
    const first = await deliver([message("m1", 0), message("m2", 100)]);
    expect(first.explicitAcks.length).toBe(2);
    await deliver([message("m2", 100)]);
    const stored = await storedPerObject(b.id, 4);
    expect(stored.flat().length).toBe(40);
    stored.slice(0, 4).forEach((devices, shard) => {
      for (const d of devices) expect(shardOf(d, 4)).toBe(shard);
    });
    expect(stored.filter((s) => s.length > 0).length).toBeGreaterThan(1);
  });

  it("heartbeat pings reach the shard of their job, and read back as one business", async () => {
    const made = await send(
      api.v1.templates[":template"].businesses.$post({
        param: { template: "jobs" },
        json: { name: "Jobs" },
      }),
    );
    const id = bodyOf(made, 201).business.id;
    // Before any event the layout may change; the key defaults to what the template's rules group by.
    const key = bodyOf(await patch(id, { shards: 4 }), 200).shardKey;
    const { token } = await createSource(id, "cron");
    const slugs = ["backup", "billing", "reports", "cleanup", "mail"];
    for (const slug of slugs) {
      const res = await SELF.fetch(`http://anom.test/ping/${token}/${slug}`);
      expect(res.status).toBe(200);
    }
    const perObject = await Promise.all(
      objectsOf(id, 4).map((stub) =>
        runInDurableObject(stub, (_o, state) =>
          state.storage.sql
            .exec<{ k: string }>(`select data ->> ? as k from events`, `$.${key}`)
            .toArray()
            .map((r) => r.k),
        ),
      ),
    );
    perObject.slice(0, 4).forEach((keys, shard) => {
      for (const k of keys) expect(shardOf(k, 4)).toBe(shard);
    });
    expect(perObject.flat().sort()).toEqual([...slugs].sort());
    expect((await listEvents(id)).items.length).toBe(5);
  });
});

describe("reads across shards", () => {
  it("events page newest first across shards, series add up, groups and alerts merge", async () => {
    const b = await created({ shards: 4, shardKey: "device" });
    const single = await created({});
    const now = Date.now();
    const events = Array.from({ length: 120 }, (_, i) => ({
      timestamp: now - 60 * MIN + i * 20_000,
      device: `dev-${i % 12}`,
      site: i % 2 ? "north" : "south",
      value: (i * 7) % 31,
    }));
    for (const x of [b, single]) {
      await createRule(x.id, {
        name: "hot",
        kind: "immediate",
        condition: "value > 29",
        groupBy: "device",
      });
      await createRule(x.id, {
        name: "site hot",
        kind: "aggregate",
        expression: "max(value) > 29",
        window: "1h",
        groupBy: "site",
      });
      const { token } = await createSource(x.id);
      expect((await ingest(x.id, token, events)).status).toBe(202);
    }
    await settleAll(b.id, 4);
    await settleAll(single.id, 1);

    // Paging 25 at a time gives every event once, newest first, the same order as one object.
    const pageAll = async (id: string) => {
      const seen: { time: string; device: unknown; value: unknown }[] = [];
      let cursor: string | null = null;
      do {
        const page = await listEvents(id, `limit=25${cursor ? `&cursor=${cursor}` : ""}`);
        seen.push(
          ...page.items.map((e) => ({ time: e.time, device: e.data.device, value: e.data.value })),
        );
        cursor = page.nextCursor;
      } while (cursor);
      return seen;
    };
    const sharded = await pageAll(b.id);
    expect(sharded.length).toBe(120);
    expect(sharded).toEqual(await pageAll(single.id));
    const filtered = await listEvents(b.id, "field=device&value=dev-3");
    expect(filtered.items.length).toBe(10);

    for (const q of [
      "",
      "field=value&fn=sum&bucket=10m",
      "field=value&fn=avg&bucket=10m",
      "field=value&fn=max&bucket=10m&groupBy=site",
      "field=value&fn=min&bucket=1h",
    ]) {
      const query = `from=${new Date(now - 2 * 60 * MIN).toISOString()}&to=${new Date(now + MIN).toISOString()}${q ? `&${q}` : ""}`;
      const series = (id: string) =>
        send(api.v1.businesses[":id"].series.$get({ param: { id }, query: queryOf(query) }));
      const [x, y] = await Promise.all([series(b.id), series(single.id)]);
      expect(x.status, q).toBe(200);
      const rounded = (res: typeof x) =>
        bodyOf(res, 200).items.map((p) => ({
          ...p,
          value: p.value === null ? null : Math.round(p.value * 1e9) / 1e9,
        }));
      expect(rounded(x)).toEqual(rounded(y));
    }

    const groups = async (id: string, q: string) =>
      bodyOf(
        await send(
          api.v1.businesses[":id"].groups.$get({ param: { id }, query: queryOf(`by=device${q}`) }),
        ),
        200,
      );
    const g = await groups(b.id, "&limit=5");
    expect(g).toEqual(await groups(single.id, "&limit=5"));
    expect(g.total).toBe(12);
    expect(await groups(b.id, "&limit=5&cursor=5")).toEqual(
      await groups(single.id, "&limit=5&cursor=5"),
    );

    // Alerts: the same, and an action reaches the object that holds the alert (shard or coordinator).
    const alerts = await allAlerts(b.id);
    const names = (list: { summary: string; groupKey: string }[]) =>
      list.map((a) => a.groupKey).sort();
    expect(names(alerts)).toEqual(names(await allAlerts(single.id)));
    expect(alerts.some((a) => a.groupKey === "north" || a.groupKey === "south")).toBe(true);
    for (const a of alerts) {
      const res = await alertAction("ack", a.id);
      expect(res.status, a.groupKey).toBe(200);
      expect(bodyOf(res, 200).status).toBe("acknowledged");
    }
    // Backtests: a rule on the shard key runs in every shard and adds up to the one-object answer.
    const backtest = (id: string, rule: RuleCreate) =>
      send(api.v1.businesses[":id"].rules.backtest.$post({ param: { id }, json: { rule } }));
    const local: RuleCreate = {
      name: "bt",
      kind: "immediate",
      condition: "value > 28",
      groupBy: "device",
    };
    const [bxRes, byRes] = await Promise.all([backtest(b.id, local), backtest(single.id, local)]);
    const bx = bodyOf(bxRes, 200);
    expect(bx.events).toBe(120);
    expect(bx.alerts.length).toBeGreaterThan(0);
    // `to` defaults to each object's "now": compared apart.
    expect({ ...bx, to: null }).toEqual({ ...byRes.json, to: null });
    // A rule that spans keys: the coordinator replays every shard's history, merged by time.
    const across: RuleCreate[] = [
      { ...local, groupBy: "site" },
      { name: "bt", kind: "aggregate", expression: "count() > 30", window: "10m" },
    ];
    for (const rule of across) {
      const [sxRes, syRes] = await Promise.all([backtest(b.id, rule), backtest(single.id, rule)]);
      const sx = bodyOf(sxRes, 200);
      expect(sx.events).toBe(120);
      expect(sx.alerts.length).toBeGreaterThan(0);
      expect({ ...sx, to: null }).toEqual({ ...syRes.json, to: null });
    }

    const status = await send(api.v1.businesses[":id"].status.$get({ param: { id: b.id } }));
    expect(bodyOf(status, 200).failingJobs).toEqual([]);
  }, 120_000);
});

describe("isolation", () => {
  it("a business never sees another's shards, even with the same keys", async () => {
    const a = await created({ shards: 4, shardKey: "device" });
    const c = await created({ shards: 4, shardKey: "device" });
    for (const rule of [a, c])
      await createRule(rule.id, {
        name: "fleet",
        kind: "aggregate",
        expression: "count() > 3",
        window: "1h",
      });
    const ta = (await createSource(a.id)).token;
    const now = Date.now();
    const events = Array.from({ length: 8 }, (_, i) => ({
      timestamp: now - i * MIN,
      device: `dev-${i}`,
      value: i,
    }));
    expect((await ingest(a.id, ta, events)).status).toBe(202);
    await settleAll(a.id, 4);
    await settleAll(c.id, 4);
    expect((await listEvents(a.id)).items.length).toBe(8);
    expect((await listEvents(c.id)).items).toEqual([]);
    expect((await allAlerts(a.id)).length).toBe(1);
    expect(await allAlerts(c.id)).toEqual([]);
    // A token of one business cannot write into the other's shards.
    expect((await ingest(c.id, ta, events)).status).toBe(403);
    // Deleting a business empties all its objects, not the other's.
    expect(await remove(a.id)).toBe(204);
    expect((await storedPerObject(a.id, 4)).flat()).toEqual([]);
  }, 60_000);
});
