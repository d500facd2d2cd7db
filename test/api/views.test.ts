import { describe, expect, it } from "vitest";
import { api, createBusiness, expectStatus, send, statusOf, untypedBody } from "../helpers";

describe("views", () => {
  it("starts with a default view charting the event count and every numeric field", async () => {
    const b = await createBusiness();
    const res = await send(api.v1.businesses[":id"].view.$get({ param: { id: b.id } }));
    expectStatus(res, 200);
    expect(res.json).toEqual({
      businessId: b.id,
      charts: [
        { fn: "count", title: "Events" },
        { field: "durationMs", fn: "avg" },
      ],
      range: "24h",
      updatedAt: null,
    });
  });

  it("saves a view and returns it", async () => {
    const b = await createBusiness();
    const body = {
      charts: [
        {
          title: "p-max duration",
          field: "durationMs",
          fn: "max",
          bucket: "5m",
          groupBy: "routeId",
        },
      ],
      eventColumns: ["routeId", "durationMs"],
      range: "6h",
    };
    const put = await send(
      api.v1.businesses[":id"].view.$put({ param: { id: b.id }, json: untypedBody(body) }),
    );
    expectStatus(put, 200);
    const got = await send(api.v1.businesses[":id"].view.$get({ param: { id: b.id } }));
    expectStatus(got, 200);
    expect(got.json).toMatchObject(body);
    expect(got.json.updatedAt).not.toBeNull();
  });

  it("refuses charts of unknown or non-numeric fields", async () => {
    const b = await createBusiness();
    for (const [charts, path] of [
      [[{ field: "nope", fn: "avg" }], "charts.0.field"],
      [[{ field: "routeId", fn: "sum" }], "charts.0.field"],
      [[{ fn: "avg" }], "charts.0.field"],
      [[{ fn: "count", groupBy: "nope" }], "charts.0.groupBy"],
    ] as const) {
      const res = await send(
        api.v1.businesses[":id"].view.$put({ param: { id: b.id }, json: untypedBody({ charts }) }),
      );
      expectStatus(res, 422);
      expect(res.json.errors?.[0]?.path, JSON.stringify(charts)).toBe(path);
    }
    expect(
      await statusOf(api.v1.businesses[":id"].view.$put({ param: { id: "bus_x" }, json: {} })),
    ).toBe(404);
  });
});
