import { env, runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { flushArchive } from "../../workers/business/archive";
import { pruneEvents } from "../../workers/business/retention";
import { rollUp } from "../../workers/business/rollup";
import {
  alertsOf,
  api,
  businessWithSource,
  createRule,
  ingest,
  received,
  receiverUrl,
  send,
} from "../helpers";

const DAY = 86_400_000;
const stubOf = (businessId: string) => env.BUSINESS.get(env.BUSINESS.idFromName(businessId));

describe("history import", () => {
  it("accepts events older than the retention, archives them in R2 and keeps only recent ones in the object", async () => {
    const { business, token } = await businessWithSource({ retention: { days: 30 } });
    const old = Array.from({ length: 50 }, (_, i) => ({
      timestamp: Date.now() - 400 * DAY + i * 60_000,
      routeId: "R1",
      durationMs: i,
    }));
    const recent = { timestamp: Date.now() - 60_000, routeId: "R1", durationMs: 7 };
    const res = await ingest(business.id, token, [...old, recent]);
    expect(res.status).toBe(202);
    expect(res.json).toMatchObject({ accepted: 51, rejected: [] });

    const held = await runInDurableObject(stubOf(business.id), async (_o, state) => {
      while (await flushArchive(state.storage, env.ARCHIVE, business.id));
      rollUp(state.storage, []);
      pruneEvents(state.storage.sql, { days: 30, maxEvents: 1_000_000 }, Date.now());
      return state.storage.sql.exec<{ n: number }>(`select count(*) as n from events`).one().n;
    });
    expect(held).toBe(1);
    const listed = await env.ARCHIVE.list({ prefix: `events/${business.id}/` });
    const archived: number[] = [];
    for (const o of listed.objects) {
      const body = (await (await env.ARCHIVE.get(o.key))?.text()) ?? "";
      for (const line of body.trim().split("\n")) archived.push(JSON.parse(line).time);
    }
    expect(archived.sort()).toEqual([...old.map((e) => e.timestamp), recent.timestamp].sort());
  });

  it("feeds backfilled events to the rules in the order sent; their alerts are historical and notify nobody", async () => {
    const { business, token } = await businessWithSource();
    const path = `/backfill-${Date.now()}`;
    const channel = await send(
      api.v1.businesses[":id"].channels.$post({
        param: { id: business.id },
        json: { type: "webhook", url: await receiverUrl(path) },
      }),
    );
    expect(channel.status).toBe(201);
    await createRule(business.id, {
      name: "Slow",
      kind: "immediate",
      condition: "durationMs > 5000",
      groupBy: "routeId",
      // Resolved by the next event, so the order the events were sent in shows.
      keepFiringFor: "0s",
    });
    const year = Date.now() - 365 * DAY;
    expect(
      (
        await ingest(business.id, token, [
          { timestamp: year, routeId: "OLD", durationMs: 9000 },
          { timestamp: year + 60_000, routeId: "OLD", durationMs: 10 },
          { timestamp: year + 120_000, routeId: "OLD2", durationMs: 9000 },
        ])
      ).status,
    ).toBe(202);
    const historical = await alertsOf(business.id);
    expect(historical.map((a) => [a.groupKey, a.status, a.historical])).toEqual(
      expect.arrayContaining([
        ["OLD", "resolved", true],
        ["OLD2", "open", true],
      ]),
    );

    // The same rule on a live event notifies as always: its message is the only one that arrives.
    await ingest(business.id, token, [{ routeId: "LIVE", durationMs: 9000 }]);
    const live = (await alertsOf(business.id)).find((a) => a.groupKey === "LIVE");
    expect(live).toMatchObject({ historical: false, status: "open" });
    const first = await received(path, 1);
    await new Promise((r) => setTimeout(r, 500));
    const all = await received(path, first.length + 1, 0);
    expect(all.length).toBeGreaterThan(0);
    const about = all.map((m) => JSON.parse(m.body).data.groupKey);
    expect(new Set(about)).toEqual(new Set(["LIVE"]));
  });
});
