import { describe, expect, it } from "vitest";
import {
  api,
  businessWithSource,
  createRule,
  expectStatus,
  ingest,
  send,
  settle,
} from "../helpers";

const MIN = 60_000;

describe("group status", () => {
  it("lists every value of the rules' groupBy worst first: anomalous, late, up; with search and paging", async () => {
    const { business, token } = await businessWithSource();
    await createRule(business.id, {
      name: "Route silent",
      kind: "absence",
      window: "1h",
      groupBy: "routeId",
    });
    await createRule(business.id, {
      name: "Slow route",
      kind: "immediate",
      condition: "durationMs > 5000",
      groupBy: "routeId",
    });
    const now = Date.now();
    const sent = await ingest(business.id, token, [
      { timestamp: now - 45 * MIN, routeId: "R-late", durationMs: 10 },
      { timestamp: now - 2 * MIN, routeId: "R-up", durationMs: 10 },
      { timestamp: now - 1 * MIN, routeId: "R-up", durationMs: 12 },
      { timestamp: now - 1 * MIN, routeId: "R-slow", durationMs: 9000 },
    ]);
    expectStatus(sent, 202);
    await settle(business.id);

    const all = await send(
      api.v1.businesses[":id"].groups.$get({ param: { id: business.id }, query: {} }),
    );
    expectStatus(all, 200);
    expect(all.json.by).toBe("routeId");
    expect(all.json.counts).toEqual({ down: 0, anomalous: 1, late: 1, up: 1 });
    expect(all.json.items.map((g: { key: string; status: string }) => [g.key, g.status])).toEqual([
      ["R-slow", "anomalous"],
      ["R-late", "late"],
      ["R-up", "up"],
    ]);
    const up = all.json.items[2];
    if (!up) throw new Error("three groups");
    expect(up.activeAlerts).toBe(0);
    expect(up.perHour).toHaveLength(24);
    expect(up.perHour.reduce((a: number, b: number) => a + b, 0)).toBe(2);
    expect(up.lastSeen && Date.parse(up.lastSeen)).toBe(now - MIN);
    expect(all.json.items[0]?.activeAlerts).toBe(1);

    const searched = await send(
      api.v1.businesses[":id"].groups.$get({ param: { id: business.id }, query: { q: "late" } }),
    );
    expectStatus(searched, 200);
    expect(searched.json.items.map((g: { key: string }) => g.key)).toEqual(["R-late"]);
    expect(searched.json.total).toBe(1);
    const first = await send(
      api.v1.businesses[":id"].groups.$get({ param: { id: business.id }, query: { limit: "2" } }),
    );
    expectStatus(first, 200);
    expect(first.json.items).toHaveLength(2);
    const second = await send(
      api.v1.businesses[":id"].groups.$get({
        param: { id: business.id },
        query: { limit: "2", cursor: String(first.json.nextCursor) },
      }),
    );
    expectStatus(second, 200);
    expect(second.json.items.map((g: { key: string }) => g.key)).toEqual(["R-up"]);
    expect(second.json.nextCursor).toBeNull();
  });

  it("pages through a thousand groups and names a field that is not one", async () => {
    const { business, token } = await businessWithSource();
    const now = Date.now();
    const events = Array.from({ length: 1000 }, (_, i) => ({
      timestamp: now - (i % 50) * MIN,
      routeId: `route-${String(i).padStart(4, "0")}`,
      durationMs: i,
    }));
    expect((await ingest(business.id, token, events)).status).toBe(202);
    const page = await send(
      api.v1.businesses[":id"].groups.$get({
        param: { id: business.id },
        query: { by: "routeId", limit: "100" },
      }),
    );
    expectStatus(page, 200);
    expect(page.json.total).toBe(1000);
    expect(page.json.counts.up).toBe(1000);
    expect(page.json.items).toHaveLength(100);
    const search = await send(
      api.v1.businesses[":id"].groups.$get({
        param: { id: business.id },
        query: { by: "routeId", q: "route-099" },
      }),
    );
    expectStatus(search, 200);
    expect(search.json.items.map((g: { key: string }) => g.key)).toHaveLength(10);
    const none = await send(
      api.v1.businesses[":id"].groups.$get({ param: { id: business.id }, query: {} }),
    );
    expect(none.json).toMatchObject({ by: null, total: 0, items: [] });
    const bad = await send(
      api.v1.businesses[":id"].groups.$get({ param: { id: business.id }, query: { by: "nope" } }),
    );
    expectStatus(bad, 422);
    expect(bad.json.errors?.[0]?.path).toBe("by");
  });

  it("charts one group's series alone", async () => {
    const { business, token } = await businessWithSource();
    const now = Date.now();
    await ingest(business.id, token, [
      { timestamp: now - MIN, routeId: "A", durationMs: 100 },
      { timestamp: now - MIN, routeId: "B", durationMs: 300 },
    ]);
    const one = await send(
      api.v1.businesses[":id"].series.$get({
        param: { id: business.id },
        query: { field: "durationMs", fn: "max", groupBy: "routeId", group: "B" },
      }),
    );
    expectStatus(one, 200);
    expect(one.json.items.map((p) => [p.group, p.value])).toEqual([["B", 300]]);
    const alone = await send(
      api.v1.businesses[":id"].series.$get({ param: { id: business.id }, query: { group: "B" } }),
    );
    expectStatus(alone, 422);
    expect(alone.json.errors?.[0]?.path).toBe("group");
  });
  it("answers for a business with more rules by the field than a statement takes variables (101)", async () => {
    // A Durable Object's SQLite binds at most 100 variables in one statement.
    const { business, token } = await businessWithSource();
    for (let i = 0; i < 101; i++)
      await createRule(business.id, {
        name: `Route silent ${i}`,
        kind: "absence",
        window: `${i + 1}h`,
        groupBy: "routeId",
      });
    expectStatus(
      await ingest(business.id, token, [{ timestamp: Date.now(), routeId: "R1", durationMs: 1 }]),
      202,
    );
    await settle(business.id);
    const all = await send(
      api.v1.businesses[":id"].groups.$get({ param: { id: business.id }, query: {} }),
    );
    expectStatus(all, 200);
    expect(all.json.items.map((g: { key: string; status: string }) => [g.key, g.status])).toEqual([
      ["R1", "up"],
    ]);
  }, 60_000);
});
