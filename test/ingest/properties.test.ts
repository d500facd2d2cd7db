import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createBusiness, createSource, expectStatus, ingest, listEvents } from "../helpers";
import { validValue } from "./arbitraries";

type FieldType = "string" | "number" | "integer" | "boolean" | "timestamp" | "enum";
interface FieldDef {
  name: string;
  type: FieldType;
  required: boolean;
  values?: string[];
}

const names = ["a", "b", "c_1", "Route", "device_id", "x9", "amount", "status"];
const now = Date.now();

const fieldDef = (name: string): fc.Arbitrary<FieldDef> =>
  fc
    .record({
      type: fc.constantFrom<FieldType>(
        "string",
        "number",
        "integer",
        "boolean",
        "timestamp",
        "enum",
      ),
      required: fc.boolean(),
      values: fc.uniqueArray(fc.string({ minLength: 1, maxLength: 8 }), {
        minLength: 1,
        maxLength: 4,
      }),
    })
    .map(({ type, required, values }) =>
      type === "enum" ? { name, type, required, values } : { name, type, required },
    );

const schema: fc.Arbitrary<FieldDef[]> = fc
  .uniqueArray(fc.constantFrom(...names), { minLength: 1, maxLength: 6 })
  .chain((picked) => fc.tuple(...picked.map(fieldDef)));

function invalidValue(f: FieldDef): unknown {
  switch (f.type) {
    case "string":
      return 42;
    case "number":
    case "integer":
      return f.type === "integer" ? 1.5 : "12";
    case "boolean":
      return "true";
    case "timestamp":
      return "last tuesday";
    case "enum":
      return "\u0000not-a-listed-value";
  }
}

function validEvent(fields: FieldDef[]): fc.Arbitrary<Record<string, unknown>> {
  const entries = fields.map((f) =>
    (f.required ? validValue(f, now) : fc.option(validValue(f, now), { nil: undefined })).map(
      (v) => [f.name, v] as const,
    ),
  );
  return fc
    .tuple(...entries)
    .map((pairs) => Object.fromEntries(pairs.filter(([, v]) => v !== undefined)));
}

async function setUp(fields: FieldDef[]) {
  // With several timestamp fields the business must say which one holds the event time.
  const stamps = fields.filter((f) => f.type === "timestamp");
  const timeField = stamps.length > 1 ? { timeField: stamps[0]?.name } : {};
  const business = await createBusiness({ name: "generated", fields, ...timeField });
  const source = await createSource(business.id);
  return { id: business.id, token: source.token };
}

const canonical = (o: unknown) => JSON.stringify(o, Object.keys(o as object).sort());

describe("ingest properties over random field schemas", () => {
  it("accepts valid events and stores them exactly", async () => {
    await fc.assert(
      fc.asyncProperty(
        schema.chain((fields) =>
          fc.tuple(
            fc.constant(fields),
            fc.array(validEvent(fields), { minLength: 1, maxLength: 8 }),
          ),
        ),
        async ([fields, events]) => {
          const { id, token } = await setUp(fields);
          const res = await ingest(id, token, events);
          expect(res.status).toBe(202);
          expect(res.json).toEqual({ accepted: events.length, rejected: [] });
          const stored = (await listEvents(id, "limit=100")).items
            .map((e) => canonical(e.data))
            .sort();
          const sent = events.map((e) => canonical(JSON.parse(JSON.stringify(e)))).sort();
          expect(stored).toEqual(sent);
        },
      ),
      { numRuns: 25 },
    );
    // Each run sets up a business: 25 of them take a few seconds on a loaded machine.
  }, 30_000);

  it("rejects an event with a wrongly typed field, naming that field, and never answers 5xx", async () => {
    await fc.assert(
      fc.asyncProperty(
        schema.chain((fields) =>
          fc.tuple(
            fc.constant(fields),
            validEvent(fields),
            fc.integer({ min: 0, max: fields.length - 1 }),
          ),
        ),
        async ([fields, event, which]) => {
          const field = fields[which] as FieldDef;
          const bad = { ...event, [field.name]: invalidValue(field) };
          const { id, token } = await setUp(fields);
          const res = await ingest(id, token, [event, bad]);
          expectStatus(res, 202);
          expect(res.json.accepted).toBe(1);
          expect(res.json.rejected).toHaveLength(1);
          expect(res.json.rejected[0]?.index).toBe(1);
          expect(res.json.rejected[0]?.errors.map((e) => e.path)).toContain(field.name);
        },
      ),
      { numRuns: 25 },
    );
    // Each run sets up a business: 25 of them take a few seconds on a loaded machine.
  }, 30_000);

  it("never answers 5xx to arbitrary JSON", async () => {
    const { id, token } = await setUp([
      { name: "a", type: "string", required: true },
      { name: "b", type: "number", required: false },
    ]);
    await fc.assert(
      fc.asyncProperty(fc.jsonValue(), async (value) => {
        const res = await ingest(id, token, value);
        expect([202, 400, 413, 422]).toContain(res.status);
      }),
      { numRuns: 60 },
    );
  });
});
