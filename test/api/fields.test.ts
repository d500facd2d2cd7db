import { describe, expect, it } from "vitest";
import { call, createBusiness } from "../helpers";

describe("fields", () => {
  it("adds a field at the end and bumps the version", async () => {
    const b = await createBusiness();
    const res = await call("POST", `/v1/businesses/${b.id}/fields`, {
      body: { name: "bytes", type: "integer", unit: "B", description: "file size" },
    });
    expect(res.status).toBe(201);
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
    const res = await call("POST", `/v1/businesses/${b.id}/fields`, {
      body: { name: "routeId", type: "string" },
    });
    expect(res.status).toBe(409);
  });

  it("changes a field's type, requiredness and enum values", async () => {
    const b = await createBusiness();
    const res = await call("PATCH", `/v1/businesses/${b.id}/fields/status`, {
      body: { values: ["OK", "FAILED", "RETRY"], required: true },
    });
    expect(res.status).toBe(200);
    expect(res.json.fields.find((f: { name: string }) => f.name === "status")).toEqual({
      name: "status",
      type: "enum",
      required: true,
      values: ["OK", "FAILED", "RETRY"],
    });
    const asString = await call("PATCH", `/v1/businesses/${b.id}/fields/status`, {
      body: { type: "string" },
    });
    expect(asString.json.fields.find((f: { name: string }) => f.name === "status")).toEqual({
      name: "status",
      type: "string",
      required: true,
    });
  });

  it("clears a unit with null", async () => {
    const b = await createBusiness();
    const res = await call("PATCH", `/v1/businesses/${b.id}/fields/durationMs`, {
      body: { unit: null },
    });
    expect(
      res.json.fields.find((f: { name: string }) => f.name === "durationMs").unit,
    ).toBeUndefined();
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
      const res = await call("PATCH", `/v1/businesses/${b.id}/fields/${name}`, { body });
      expect(res.status, JSON.stringify(body)).toBe(422);
      expect(res.json.errors[0].path).toBe(path);
    }
  });

  it("removes a field", async () => {
    const b = await createBusiness();
    const res = await call("DELETE", `/v1/businesses/${b.id}/fields/status`);
    expect(res.status).toBe(200);
    expect(res.json.fields.map((f: { name: string }) => f.name)).toEqual([
      "timestamp",
      "routeId",
      "durationMs",
    ]);
    expect((await call("DELETE", `/v1/businesses/${b.id}/fields/status`)).status).toBe(404);
  });

  it("answers 404 for fields of an unknown business", async () => {
    const res = await call("POST", "/v1/businesses/bus_missing/fields", {
      body: { name: "a", type: "string" },
    });
    expect(res.status).toBe(404);
  });
});
