import { describe, expect, it } from "vitest";
import { api, createBusiness, expectStatus, send, statusOf, untypedBody } from "../helpers";

describe("fields", () => {
  it("adds a field at the end and bumps the version", async () => {
    const b = await createBusiness();
    const res = await send(
      api.v1.businesses[":id"].fields.$post({
        param: { id: b.id },
        json: { name: "bytes", type: "integer", unit: "B", description: "file size" },
      }),
    );
    expectStatus(res, 201);
    expect(res.json.fields.at(-1)).toEqual({
      name: "bytes",
      type: "integer",
      required: false,
      unit: "B",
      description: "file size",
    });
    expect(res.json.version).toBe(b.version + 1);
  });

  it("refuses a field that already exists with 409", async () => {
    const b = await createBusiness();
    const res = await send(
      api.v1.businesses[":id"].fields.$post({
        param: { id: b.id },
        json: { name: "routeId", type: "string" },
      }),
    );
    expectStatus(res, 409);
  });

  it("changes a field's type, requiredness and enum values", async () => {
    const b = await createBusiness();
    const res = await send(
      api.v1.businesses[":id"].fields[":name"].$patch({
        param: { id: b.id, name: "status" },
        json: { values: ["OK", "FAILED", "RETRY"], required: true },
      }),
    );
    expectStatus(res, 200);
    expect(res.json.fields.find((f: { name: string }) => f.name === "status")).toEqual({
      name: "status",
      type: "enum",
      required: true,
      values: ["OK", "FAILED", "RETRY"],
    });
    const asString = await send(
      api.v1.businesses[":id"].fields[":name"].$patch({
        param: { id: b.id, name: "status" },
        json: { type: "string" },
      }),
    );
    expectStatus(asString, 200);
    expect(asString.json.fields.find((f: { name: string }) => f.name === "status")).toEqual({
      name: "status",
      type: "string",
      required: true,
    });
  });

  it("clears a unit with null", async () => {
    const b = await createBusiness();
    const res = await send(
      api.v1.businesses[":id"].fields[":name"].$patch({
        param: { id: b.id, name: "durationMs" },
        json: { unit: null },
      }),
    );
    expectStatus(res, 200);
    expect(res.json.fields.find((f) => f.name === "durationMs")?.unit).toBeUndefined();
  });

  it("refuses changes that break the schema", async () => {
    const b = await createBusiness();
    const cases: [string, unknown, string][] = [
      ["routeId", { type: "enum" }, "values"],
      ["routeId", { values: ["a"] }, "values"],
      ["timestamp", { type: "string" }, "type"],
      ["routeId", { type: "uuid" }, "type"],
    ];
    for (const [name, body, path] of cases) {
      const res = await send(
        api.v1.businesses[":id"].fields[":name"].$patch({
          param: { id: b.id, name },
          json: untypedBody(body),
        }),
      );
      expectStatus(res, 422);
      expect(res.json.errors?.[0]?.path, JSON.stringify(body)).toBe(path);
    }
  });

  it("removes a field", async () => {
    const b = await createBusiness();
    const res = await send(
      api.v1.businesses[":id"].fields[":name"].$delete({ param: { id: b.id, name: "status" } }),
    );
    expectStatus(res, 200);
    expect(res.json.fields.map((f: { name: string }) => f.name)).toEqual([
      "timestamp",
      "routeId",
      "durationMs",
    ]);
    expect(
      await statusOf(
        api.v1.businesses[":id"].fields[":name"].$delete({ param: { id: b.id, name: "status" } }),
      ),
    ).toBe(404);
  });

  it("answers 404 for fields of an unknown business", async () => {
    const res = await send(
      api.v1.businesses[":id"].fields.$post({
        param: { id: "bus_missing" },
        json: { name: "a", type: "string" },
      }),
    );
    expectStatus(res, 404);
  });
});
