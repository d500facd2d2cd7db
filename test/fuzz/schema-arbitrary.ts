import fc from "fast-check";

/** The part of a JSON Schema (as in the OpenAPI document) the fuzzer reads. */
export interface JsonSchema {
  $ref?: string;
  type?: string | string[];
  enum?: unknown[];
  const?: unknown;
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  anyOf?: JsonSchema[];
  oneOf?: JsonSchema[];
  allOf?: JsonSchema[];
  minLength?: number;
  maxLength?: number;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  exclusiveMaximum?: number;
  minItems?: number;
  maxItems?: number;
  example?: unknown;
  default?: unknown;
  format?: string;
}

/** Strings that broke, or could break, a parser somewhere: boundaries, encodings, injections, times. */
export const nastyStrings = [
  "",
  " ",
  "0",
  "-1",
  "1e309",
  "-0",
  "NaN",
  "Infinity",
  "null",
  "true",
  "[]",
  "{}",
  "__proto__",
  "constructor",
  "prototype",
  "../../etc/passwd",
  "..%2f..%2f",
  "%00",
  "\u0000",
  "\uffff",
  "\ud800",
  "😀".repeat(40),
  "a".repeat(65),
  "a".repeat(2001),
  "9".repeat(30),
  "8700000000000000",
  "9007199254740991",
  "1764240000",
  "2026-02-30T12:00:00Z",
  "2026-04-31T00:00:00Z",
  "2026-11-24T24:00:00Z",
  "2026-11-24T10:00:60Z",
  "0000-01-01T00:00:00Z",
  "9999-12-31T23:59:59.999999999+00:00",
  "999999d",
  "0m",
  "1s",
  "' OR 1=1 --",
  '"; drop table businesses; --',
  "<script>alert(1)</script>",
  "$" + "{7*7}",
  "%ZZ",
  "deviceId.matches('^(a+)+$')",
  "routeId.split('').all(a, routeId.split('').exists(b, a == b))",
  `${"(".repeat(60)}1${")".repeat(60)}`,
  "http://[::ffff:127.0.0.1]/x",
  "http://localhost./x",
  "http://169.254.169.254/latest/meta-data",
  "http://0x7f.1/",
  "javascript:alert(1)",
  "* * * * *",
  "99-99",
  "Europe/Nowhere",
];

export const hostileString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...nastyStrings) },
  { weight: 2, arbitrary: fc.string({ maxLength: 24 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 24 }) },
  { weight: 1, arbitrary: fc.bigInt().map(String) },
  { weight: 1, arbitrary: fc.double().map(String) },
);

const hostileNumber = fc.oneof(
  fc.constantFrom(0, -1, 1.5, 2 ** 53, -(2 ** 53), 1e308, -1e308, 5e-324, 8.7e15, 1_764_240_000),
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
);

export const hostileKey = fc.oneof(
  fc.constantFrom("__proto__", "constructor", "prototype", "", "a".repeat(129), "0", "a.b", "$ref"),
  fc.string({ maxLength: 12 }),
);

/** Any JSON value, biased to the shapes and sizes that hurt. */
export const hostileValue: fc.Arbitrary<unknown> = fc.letrec((tie) => ({
  value: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    hostileString,
    hostileNumber,
    fc.boolean(),
    fc.constant(null),
    fc.array(tie("value"), { maxLength: 4 }),
    fc.dictionary(hostileKey, tie("value"), { maxKeys: 4 }),
  ),
})).value;

/**
 * Values for a schema: mostly near-valid (examples, enum members, boundaries
 * just inside and just outside every min/max) and sometimes anything at all,
 * so each property is probed both at its edges and with the wrong type.
 */
export function fromSchema(
  schema: JsonSchema | undefined,
  resolve: (ref: string) => JsonSchema,
  depth = 0,
): fc.Arbitrary<unknown> {
  if (!schema || depth > 6) return hostileValue;
  if (schema.$ref) return fromSchema(resolve(schema.$ref), resolve, depth + 1);
  const near = nearValid(schema, resolve, depth);
  return fc.oneof({ weight: 5, arbitrary: near }, { weight: 1, arbitrary: hostileValue });
}

function nearValid(
  schema: JsonSchema,
  resolve: (ref: string) => JsonSchema,
  depth: number,
): fc.Arbitrary<unknown> {
  const variants = schema.anyOf ?? schema.oneOf;
  if (variants) return fc.oneof(...variants.map((s) => fromSchema(s, resolve, depth + 1)));
  if (schema.allOf?.[0]) return fromSchema(schema.allOf[0], resolve, depth + 1);
  if (schema.const !== undefined) return fc.constant(schema.const);
  if (schema.enum) return fc.constantFrom(...schema.enum);
  const type = Array.isArray(schema.type) ? schema.type[0] : schema.type;
  const samples = [schema.example, schema.default].filter((v) => v !== undefined);
  const withSamples = (a: fc.Arbitrary<unknown>) =>
    samples.length ? fc.oneof(fc.constantFrom(...samples), a) : a;
  switch (type) {
    case "string": {
      const max = schema.maxLength;
      const edges = [
        ...(max !== undefined ? ["x".repeat(max), "x".repeat(max + 1)] : []),
        ...(schema.minLength ? ["x".repeat(schema.minLength - 1)] : []),
      ];
      return withSamples(
        fc.oneof(
          fc.string({ maxLength: Math.min(max ?? 30, 30) }),
          edges.length ? fc.constantFrom(...edges) : fc.string({ maxLength: 5 }),
          hostileString,
        ),
      );
    }
    case "integer":
    case "number": {
      const lo = schema.minimum ?? schema.exclusiveMinimum;
      const hi = schema.maximum ?? schema.exclusiveMaximum;
      const edges = [lo, hi, lo !== undefined ? lo - 1 : 0, hi !== undefined ? hi + 1 : 0].filter(
        (v): v is number => v !== undefined,
      );
      return withSamples(
        fc.oneof(
          fc.constantFrom(...edges),
          fc.integer({ min: Math.max(lo ?? -1000, -1e9), max: Math.min(hi ?? 1000, 1e9) }),
          hostileNumber,
        ),
      );
    }
    case "boolean":
      return fc.boolean();
    case "null":
      return fc.constant(null);
    case "array": {
      const item = fromSchema(schema.items, resolve, depth + 1);
      const max = schema.maxItems;
      // Just past the limit, where the limit is small enough to send.
      const over =
        max !== undefined && max <= 1000
          ? [fc.array(item, { minLength: max + 1, maxLength: max + 1 })]
          : [];
      return withSamples(fc.oneof(fc.array(item, { maxLength: 3 }), ...over));
    }
    case "object": {
      const props = schema.properties ?? {};
      const required = new Set(schema.required ?? []);
      const record: Record<string, fc.Arbitrary<unknown>> = {};
      for (const [key, s] of Object.entries(props)) record[key] = fromSchema(s, resolve, depth + 1);
      const known = fc.record(record, {
        requiredKeys: Object.keys(props).filter((k) => required.has(k)),
      });
      const extra = fc.dictionary(hostileKey, hostileValue, { maxKeys: 2 });
      return withSamples(
        fc.oneof(
          { weight: 4, arbitrary: known },
          { weight: 1, arbitrary: fc.tuple(known, extra).map(([a, b]) => ({ ...b, ...a })) },
          { weight: 1, arbitrary: fc.record(record, { requiredKeys: [] }) },
        ),
      );
    }
    default:
      return hostileValue;
  }
}
