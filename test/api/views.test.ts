import { describe, expect, it } from "vitest";
import { call, createBusiness } from "../helpers";

describe("views", () => {
  it("starts with a default view charting the event count and every numeric field", async () => {
    const b = await createBusiness();
    const res = await call("GET", `/v1/businesses/${b.id}/view`);
    expect(res.status).toBe(200);
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
    const put = await call("PUT", `/v1/businesses/${b.id}/view`, { body });
    expect(put.status).toBe(200);
    const got = await call("GET", `/v1/businesses/${b.id}/view`);
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
      const res = await call("PUT", `/v1/businesses/${b.id}/view`, { body: { charts } });
      expect(res.status, JSON.stringify(charts)).toBe(422);
      expect(res.json.errors[0].path).toBe(path);
    }
    expect((await call("PUT", "/v1/businesses/bus_x/view", { body: {} })).status).toBe(404);
  });
});
