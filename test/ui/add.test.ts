import { describe, expect, it } from "vitest";
import { autoMap, convert, rowChecker, zonedToIso } from "../../app/lib/entry";
import { RowKeys } from "../../app/lib/upload";
import * as add from "../../app/routes/business/add";
import * as batch from "../../app/routes/event-batch";
import { createBusiness, listEvents } from "../helpers";
import { origin, uiContext, uiGet, uiPost } from "./support";

/** The personal-finance business of the product's use case. */
function expenses() {
  return createBusiness({
    timezone: "Europe/Berlin",
    fields: [
      { name: "timestamp", type: "timestamp" },
      { name: "amount", type: "number", required: true, unit: "EUR" },
      { name: "category", type: "enum", required: true, values: ["food", "rent", "travel"] },
      { name: "note", type: "string" },
      { name: "shared", type: "boolean" },
    ],
  });
}

async function enter(id: string, fields: Record<string, string>) {
  return add.action({
    request: await uiPost(`/businesses/${id}/add`, { intent: "enter", ...fields }),
    params: { id },
    context: uiContext(),
  } as never);
}

describe("the Add events form", () => {
  it("stores a typed event with its time read in the business's zone, once per form", async () => {
    const b = await expenses();
    const loaded = await add.loader({
      request: await uiGet(`/businesses/${b.id}/add`),
      params: { id: b.id },
      context: uiContext(),
    } as never);
    const fields = {
      key: loaded.formKey,
      "f.timestamp": "2026-11-01T09:30",
      "f.amount": "12.5",
      "f.category": "food",
      "f.note": "",
      "f.shared": "true",
    };
    const first = await enter(b.id, fields);
    expect(first).toEqual({
      ok: true,
      duplicate: false,
      event: { timestamp: "2026-11-01T08:30:00Z", amount: 12.5, category: "food", shared: true },
    });
    // The same form sent again (a double click, a reload) stores nothing more.
    expect(await enter(b.id, fields)).toMatchObject({ ok: true, duplicate: true });
    const events = await listEvents(b.id);
    expect(events.items).toHaveLength(1);
    expect(events.items[0]?.time).toBe("2026-11-01T08:30:00.000Z");
  });

  it("names the field of each problem and keeps what was typed", async () => {
    const b = await expenses();
    const bad = await enter(b.id, {
      key: crypto.randomUUID(),
      "f.timestamp": "2026-11-01T09:30",
      "f.amount": "twelve",
      "f.category": "food",
    });
    expect(bad).toMatchObject({
      ok: false,
      values: { amount: "twelve", category: "food" },
      errors: [{ path: "amount", message: "“twelve” is not a number" }],
    });
    // A problem only the API finds (a required field left empty) comes back at its input too.
    const missing = await enter(b.id, {
      key: crypto.randomUUID(),
      "f.timestamp": "2026-11-01T09:30",
      "f.amount": "3",
    });
    expect(missing).toMatchObject({
      ok: false,
      errors: [{ path: "category", message: "is required" }],
    });
    expect((await listEvents(b.id)).items).toHaveLength(0);
  });

  it("refuses a post from another origin", async () => {
    const b = await expenses();
    const request = await uiPost(
      `/businesses/${b.id}/add`,
      { key: "k", "f.amount": "1", "f.category": "food" },
      "https://evil.test",
    );
    await expect(
      add.action({ request, params: { id: b.id }, context: uiContext() } as never),
    ).rejects.toBeDefined();
  });
});

describe("an upload batch", () => {
  async function post(id: string, body: unknown) {
    const cookie = (await uiGet("/")).headers.get("cookie") ?? "";
    const request = new Request(`${origin}/businesses/${id}/add/batch`, {
      method: "POST",
      headers: { cookie, origin, "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    const res = (await batch.action({
      request,
      params: { id },
      context: uiContext(),
    } as never)) as Response;
    return res.json();
  }

  it("stores a batch once by its row keys and answers per-event problems", async () => {
    const b = await expenses();
    const body = {
      events: [
        { timestamp: "2026-11-01T08:30:00Z", amount: 3, category: "food" },
        { timestamp: "2026-11-01T09:30:00Z", amount: 4, category: "fuel" },
      ],
      keys: ["upload:a:1", "upload:b:1"],
    };
    expect(await post(b.id, body)).toEqual({
      ok: true,
      accepted: 1,
      duplicates: 0,
      rejected: [{ index: 1, errors: [{ path: "category", message: expect.any(String) }] }],
    });
    expect(await post(b.id, body)).toMatchObject({ ok: true, accepted: 0, duplicates: 1 });
    // None valid: still an answer with the problems, not a failure.
    expect(await post(b.id, { events: [body.events[1]], keys: ["upload:c:1"] })).toMatchObject({
      ok: true,
      accepted: 0,
      rejected: [{ index: 0 }],
    });
    expect(await post(b.id, { events: "nope" })).toMatchObject({ ok: false, status: 422 });
    expect((await listEvents(b.id)).items).toHaveLength(1);
  });
});

describe("reading rows", () => {
  const business = {
    id: "b",
    name: "Expenses",
    timezone: "Europe/Berlin",
    timeField: "timestamp",
    allowUnknownFields: false,
    fields: [
      { name: "timestamp", type: "timestamp", required: false },
      { name: "amount", type: "number", required: true, unit: "EUR" },
      { name: "count", type: "integer", required: false },
      { name: "category", type: "enum", required: true, values: ["food", "rent"] },
      { name: "shared", type: "boolean", required: false },
    ],
  } as never;

  it("converts cells by field type, times without an offset in the zone", () => {
    const f = (type: string, values?: string[]) =>
      ({ name: "x", type, required: false, values }) as never;
    expect(convert(f("number"), " 12.50 ", "UTC")).toEqual({ ok: true, value: 12.5 });
    expect(convert(f("number"), "1,5", "UTC")).toMatchObject({ ok: false });
    expect(convert(f("integer"), "2.5", "UTC")).toMatchObject({
      ok: false,
      message: "“2.5” is not a whole number",
    });
    expect(convert(f("boolean"), "Yes", "UTC")).toEqual({ ok: true, value: true });
    expect(convert(f("enum", ["Food"]), "food", "UTC")).toEqual({ ok: true, value: "Food" });
    expect(convert(f("enum", ["Food"]), "fuel", "UTC")).toMatchObject({ ok: false });
    expect(convert(f("timestamp"), "2026-07-01", "Europe/Berlin")).toEqual({
      ok: true,
      value: "2026-06-30T22:00:00Z",
    });
    expect(convert(f("timestamp"), "2026-07-01T10:00:00Z", "Europe/Berlin")).toEqual({
      ok: true,
      value: "2026-07-01T10:00:00Z",
    });
    expect(convert(f("timestamp"), "1790000000000", "UTC")).toEqual({
      ok: true,
      value: 1790000000000,
    });
    expect(convert(f("timestamp"), "01/07/2026", "UTC")).toMatchObject({ ok: false });
    expect(convert(f("string"), "", "UTC")).toEqual({ ok: true, value: undefined });
    // In a DST gap (02:30 does not exist in Berlin on 29 March) the later wall time is taken.
    expect(zonedToIso("2026-03-29 02:30", "Europe/Berlin")).toBe("2026-03-29T01:30:00Z");
    expect(zonedToIso("2026-02-30", "UTC")).toBeNull();
  });

  it("maps columns by name, the time from a date column, and checks rows with the API's validator", () => {
    const mapping = autoMap(business, ["Date", "Amount", "cat", "Shared"]);
    expect(mapping).toEqual({
      timestamp: "Date",
      amount: "Amount",
      count: "",
      category: "",
      shared: "Shared",
    });
    const check = rowChecker(business, { ...mapping, category: "cat" });
    const now = Date.parse("2026-11-27T12:00:00Z");
    expect(check({ Date: "2026-11-02", Amount: "9", cat: "food", Shared: "no" }, now)).toEqual({
      event: { timestamp: "2026-11-01T23:00:00Z", amount: 9, category: "food", shared: false },
      errors: [],
    });
    expect(check({ Date: "2026-11-02", Amount: "", cat: "food" }, now).errors).toEqual([
      { path: "amount", message: "is required" },
    ]);
    expect(check({ Date: "2027-01-01", Amount: "1", cat: "food" }, now).errors).toEqual([
      { path: "timestamp", message: "is more than 5 minutes in the future" },
    ]);
  });

  it("gives a row the same key in every upload, and identical rows of one file different keys", async () => {
    const row = (line: number, amount: string) => ({
      line,
      cells: { Date: "2026-11-02", Amount: amount },
    });
    const first = new RowKeys(["Amount", "Date"]);
    const again = new RowKeys(["Amount", "Date"]);
    const a = [
      await first.key(row(2, "9")),
      await first.key(row(3, "9")),
      await first.key(row(4, "7")),
    ];
    const b = [
      await again.key(row(2, "9")),
      await again.key(row(3, "9")),
      await again.key(row(4, "7")),
    ];
    expect(a).toEqual(b);
    expect(new Set(a).size).toBe(3);
    expect(a[0]).toMatch(/^upload:[0-9a-f]{32}:1$/);
    // Rows without their own time are told apart per file.
    expect(await new RowKeys(["Amount", "Date"], "other.csv").key(row(2, "9"))).not.toBe(a[0]);
  });
});
