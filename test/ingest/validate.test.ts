import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Business, Field } from "../../schema/contracts/businesses";
import { compileCheck } from "../../workers/ingest/check";
import { MAX_STRING_LENGTH } from "../../workers/ingest/limits";
import { compileValidator } from "../../workers/ingest/validate";
import { validValue } from "./arbitraries";

// The plain check (check.ts) decides alone only when it accepts; these tests hold it to the
// zod schema: for any definition and any event, the validator's answer (the errors, word for
// word, or the accepted time and data) equals the schema-only validator's.

const now = Date.parse("2026-11-27T12:00:00Z");
const names = ["a", "b", "status", "device_id", "timestamp", "at", "toString"];
const types = ["string", "number", "integer", "boolean", "timestamp", "enum"] as const;

function business(fields: Field[], timeField: string, allowUnknownFields: boolean): Business {
  return {
    id: "bus_test",
    workspaceId: "ws_test",
    name: "t",
    description: "",
    timezone: "UTC",
    timeField,
    allowUnknownFields,
    retention: { days: 30, maxEvents: 1_000_000 },
    fields,
    shards: 1,
    shardKey: null,
    version: 1,
    createdAt: "2026-11-27T00:00:00.000Z",
    updatedAt: "2026-11-27T00:00:00.000Z",
  };
}

const field = (name: string): fc.Arbitrary<Field> =>
  fc
    .record({ type: fc.constantFrom(...types), required: fc.boolean() })
    .map(({ type, required }) =>
      type === "enum"
        ? { name, type, required, values: ["OK", "FAILED", "0"] }
        : { name, type, required },
    );

const definitionOf = (fieldNames: string[]): fc.Arbitrary<Business> =>
  fc
    .uniqueArray(fc.constantFrom(...fieldNames), { minLength: 0, maxLength: 5 })
    .chain((picked) =>
      fc.record({
        fields: fc.tuple(...picked.map(field)),
        timeField: fc.constantFrom("timestamp", "at"),
        allowUnknownFields: fc.boolean(),
      }),
    )
    // As the definitions API insists: a declared time field is a timestamp.
    .map(({ fields, timeField, allowUnknownFields }) =>
      business(
        fields.map((f) =>
          f.name === timeField ? { name: f.name, type: "timestamp", required: f.required } : f,
        ),
        timeField,
        allowUnknownFields,
      ),
    );
const definition = definitionOf(names);

/** Values of every kind, right and wrong for each type, edge cases included. */
const anyValue: fc.Arbitrary<unknown> = fc.oneof(
  fc.constantFrom(
    null,
    undefined,
    true,
    false,
    0,
    -0,
    1.5,
    2 ** 53,
    -(2 ** 53),
    Number.MAX_SAFE_INTEGER,
    Number.POSITIVE_INFINITY,
    Number.NaN,
    "OK",
    "FAILED",
    "0",
    "",
    "x".repeat(MAX_STRING_LENGTH),
    "x".repeat(MAX_STRING_LENGTH + 1),
    now,
    now - 1,
    now + 10 * 60_000,
    1_700_000_000,
    "2026-11-27T11:00:00Z",
    "2026-11-27T11:00:00.123+01:00",
    "2026-02-30T00:00:00Z",
    "1999-01-01T00:00:00Z",
    "yesterday",
    [],
    [1],
    {},
    { nested: 1 },
  ),
  fc.string({ maxLength: 12 }),
  fc.integer(),
  fc.double(),
  fc.integer({ min: now - 86_400_000, max: now + 86_400_000 }),
);

const event: fc.Arbitrary<Record<string, unknown>> = fc
  .dictionary(fc.constantFrom(...names, "extra", "other"), anyValue, { maxKeys: 7 })
  .map((e) => Object.fromEntries(Object.entries(e).filter(([, v]) => v !== undefined)));

/** An event the definition accepts. */
function valid(b: Business): fc.Arbitrary<Record<string, unknown>> {
  const value = (f: Field) => validValue(f, now);
  const entries = b.fields.map((f) =>
    f.required
      ? value(f).map((v) => [[f.name, v]])
      : fc.oneof(
          value(f).map((v) => [[f.name, v]]),
          fc.constant([[f.name, null]]),
          fc.constant([]),
        ),
  );
  return fc.tuple(...entries).map((parts) => Object.fromEntries(parts.flat()));
}

describe("event validation: plain check and zod schema", () => {
  it("answers every event exactly as the zod schema alone does", () => {
    fc.assert(
      fc.property(definition, fc.array(event, { minLength: 1, maxLength: 20 }), (b, events) => {
        const fast = compileValidator(b);
        const reference = compileValidator(b, { fast: false });
        for (const value of events) {
          const raw = { ok: true as const, value };
          expect(fast(raw, now)).toEqual(reference(raw, now));
        }
      }),
      { numRuns: 400 },
    );
  });

  it("passes valid events without the schema, and they are accepted", () => {
    fc.assert(
      fc.property(
        // An absent optional `toString` reads as the prototype's function, to the schema as well.
        definitionOf(names.filter((n) => n !== "toString")).chain((b) =>
          fc.tuple(fc.constant(b), fc.array(valid(b), { minLength: 1 })),
        ),
        ([b, events]) => {
          const check = compileCheck(b);
          const validate = compileValidator(b);
          for (const value of events) {
            expect(check(value)).toBe(true);
            expect(validate({ ok: true, value }, now)).toMatchObject({ ok: true, data: value });
          }
        },
      ),
      { numRuns: 200 },
    );
  });

  it("leaves the errors to the schema: each problem names its field", () => {
    const b = business(
      [
        { name: "routeId", type: "string", required: true },
        { name: "durationMs", type: "integer", required: false },
        { name: "status", type: "enum", required: false, values: ["OK", "FAILED"] },
        { name: "timestamp", type: "timestamp", required: false },
      ],
      "timestamp",
      false,
    );
    const check = compileCheck(b);
    const validate = compileValidator(b);
    const wrong = { durationMs: 1.5, status: "MAYBE", timestamp: "2026-13-01T00:00:00Z", x: 1 };
    expect(check(wrong)).toBe(false);
    expect(validate({ ok: true, value: wrong }, now)).toEqual({
      ok: false,
      errors: [
        { path: "routeId", message: "is required" },
        { path: "durationMs", message: "expected int, received number" },
        { path: "status", message: 'expected one of "OK"|"FAILED"' },
        { path: "timestamp", message: "has no month 13" },
        { path: "x", message: "is not a field of this business" },
      ],
    });
    // A field not declared but present on every object's prototype is no loophole.
    expect(check({ routeId: "r", toString: "x" })).toBe(false);
  });

  it("refuses reserved and over-long field names before any check, even where undeclared fields are allowed", () => {
    const validate = compileValidator(business([], "timestamp", true));
    const raw = (text: string) => ({ ok: true as const, value: JSON.parse(text) });
    expect(validate(raw('{"__proto__": 1, "constructor": "x", "a": 1}'), now)).toEqual({
      ok: false,
      errors: [
        { path: "__proto__", message: "is a reserved name" },
        { path: "constructor", message: "is a reserved name" },
      ],
    });
    const long = "k".repeat(129);
    expect(validate(raw(`{"${long}": 1, "a": 1}`), now)).toEqual({
      ok: false,
      errors: [
        { path: `${"k".repeat(32)}…`, message: "field name is 129 characters long; at most 128" },
      ],
    });
    expect(validate(raw(`{"${"k".repeat(128)}": 1}`), now)).toMatchObject({ ok: true });
  });
});
