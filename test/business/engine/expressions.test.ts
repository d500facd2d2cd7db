import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { RuleDefinitionError } from "../../../workers/business/engine/definition-error";
import {
  compare,
  compilePredicate,
  parseAggregate,
} from "../../../workers/business/engine/expressions";

const fields = [
  { name: "durationMs", type: "number" as const, required: true },
  { name: "routeId", type: "string" as const, required: true },
  { name: "status", type: "enum" as const, required: false, values: ["OK", "FAILED"] },
  { name: "retried", type: "boolean" as const, required: false },
  { name: "at", type: "timestamp" as const, required: false },
];

describe("CEL predicates", () => {
  it("evaluate comparisons, logic, string and list operators", () => {
    const p = (e: string) => compilePredicate(e, fields, "condition");
    const event = { durationMs: 6120, routeId: "SFTP-BANK-A", status: "FAILED", retried: true };
    expect(p("durationMs > 5000")(event)).toBe(true);
    expect(p("durationMs > 5000 && status == 'OK'")(event)).toBe(false);
    expect(p("routeId.startsWith('SFTP') || !retried")(event)).toBe(true);
    expect(p("status in ['FAILED', 'TIMEOUT']")(event)).toBe(true);
    expect(p("routeId.matches('^SFTP-BANK-[A-Z]$')")(event)).toBe(true);
    expect(p("at > 0.0")({ ...event, at: "2026-11-24T10:00:00Z" })).toBe(true);
  });

  it("is false, not an error, when the event lacks a field", () => {
    expect(
      compilePredicate("status == 'FAILED'", fields, "condition")({ durationMs: 1, routeId: "A" }),
    ).toBe(false);
  });

  it("agrees with plain comparison for any number", () => {
    const p = compilePredicate("durationMs > 5000", fields, "condition");
    fc.assert(
      fc.property(
        fc.double({ noNaN: true, noDefaultInfinity: true }),
        (d) => p({ durationMs: d, routeId: "x" }) === d > 5000,
      ),
    );
  });

  it("refuses bad expressions with a definition error naming the key", () => {
    for (const bad of ["durationMs >", "nope == 1", "routeId > 5", "durationMs", "1 +"]) {
      try {
        compilePredicate(bad, fields, "where");
        expect.unreachable(bad);
      } catch (error) {
        expect(error).toBeInstanceOf(RuleDefinitionError);
        expect((error as RuleDefinitionError).path).toBe("where");
      }
    }
  });
});

describe("aggregate expressions", () => {
  it("parses one function compared with a number", () => {
    expect(parseAggregate("sum(durationMs) > 2000", fields)).toEqual({
      fn: "sum",
      field: "durationMs",
      op: ">",
      threshold: 2000,
    });
    expect(parseAggregate(" count( ) >= 10 ", fields)).toEqual({
      fn: "count",
      field: null,
      op: ">=",
      threshold: 10,
    });
    expect(parseAggregate("avg(durationMs) != -1.5e3", fields).threshold).toBe(-1500);
  });

  it("refuses what it cannot compute", () => {
    for (const bad of [
      "sum(routeId) > 1",
      "count(durationMs) > 1",
      "sum() > 1",
      "median(durationMs) > 1",
      "sum(x) > 1",
      "sum(durationMs) > a",
    ]) {
      expect(() => parseAggregate(bad, fields), bad).toThrow(RuleDefinitionError);
    }
  });

  it("compares with every operator", () => {
    expect([">", ">=", "<", "<=", "==", "!="].map((op) => compare(2, op as never, 2))).toEqual([
      false,
      true,
      false,
      true,
      true,
      false,
    ]);
  });
});

describe("fields whose names CEL reserves", () => {
  const withBytes = [...fields, { name: "bytes", type: "integer" as const, required: false }];

  it("do not stop expressions over the other fields", () => {
    expect(
      compilePredicate(
        "durationMs > 5000",
        withBytes,
        "condition",
      )({ durationMs: 6000, routeId: "A", bytes: 3 }),
    ).toBe(true);
  });

  it("are refused by name when an expression uses them", () => {
    expect(() => compilePredicate("bytes > 10", withBytes, "condition")).toThrow(
      /field 'bytes' has a name CEL reserves/,
    );
  });
});

describe("bounded cost", () => {
  const strings = [{ name: "deviceId", type: "string" as const, required: true }];

  it("runs a catastrophic pattern in linear time (RE2), not exponential backtracking", () => {
    const p = compilePredicate("deviceId.matches('^(a+)+$')", strings, "condition");
    expect(p({ deviceId: "aaaa" })).toBe(true);
    const hostile = `${"a".repeat(40)}!`;
    // Backtracking needs ~2^40 steps for this input; RE2 needs ~40. Ten runs stay far below a second.
    const started = performance.now();
    for (let i = 0; i < 10; i++) expect(p({ deviceId: hostile })).toBe(false);
    expect(performance.now() - started).toBeLessThan(1000);
  });

  it("matches patterns that come from event data with the same engine", () => {
    const fields = [...strings, { name: "pattern", type: "string" as const, required: true }];
    const p = compilePredicate("deviceId.matches(pattern)", fields, "condition");
    expect(p({ deviceId: `${"a".repeat(40)}!`, pattern: "^(a+)+$" })).toBe(false);
    expect(p({ deviceId: "abc", pattern: "^a.c$" })).toBe(true);
    // A pattern RE2 cannot compile makes the condition false, like any runtime error.
    expect(p({ deviceId: "aa", pattern: "(a)\\1" })).toBe(false);
  });

  it("refuses a literal pattern RE2 does not support (backreferences, lookaround)", () => {
    for (const bad of ["deviceId.matches('(a)\\\\1')", "deviceId.matches('a(?=b)')"]) {
      expect(() => compilePredicate(bad, strings, "condition")).toThrowError(/RE2/);
    }
  });

  it("refuses nested comprehensions over split strings with a definition error naming the cost", () => {
    const nested = "deviceId.split('').all(a, deviceId.split('').exists(b, a == b))";
    try {
      compilePredicate(nested, strings, "where");
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(RuleDefinitionError);
      expect((error as RuleDefinitionError).path).toBe("where");
      expect((error as RuleDefinitionError).message).toMatch(/steps per event/);
    }
    // One level over a split string is within the budget.
    const single = compilePredicate("deviceId.split(',').exists(p, p == 'x')", strings, "where");
    expect(single({ deviceId: "a,x" })).toBe(true);
  });

  it("refuses deep nesting and over-long expressions with clear messages", () => {
    const deep = `${"(".repeat(40)}deviceId == 'a'${")".repeat(40)}`;
    expect(() => compilePredicate(deep, strings, "condition")).toThrowError(/nests deeper than 32/);
    const long = Array.from({ length: 200 }, () => "deviceId == 'a'").join(" || ");
    expect(() => compilePredicate(long, strings, "condition")).toThrowError(/longer than 2000/);
  });

  it("reads timestamp fields with the one time parser (impossible dates are not times)", () => {
    const fields = [{ name: "at", type: "timestamp" as const, required: true }];
    const p = compilePredicate("at > 0.0", fields, "condition");
    expect(p({ at: "2026-02-28T00:00:00Z" })).toBe(true);
    expect(p({ at: "2026-02-30T00:00:00Z" })).toBe(false);
  });
});

describe("the matches budget", () => {
  const strings = [{ name: "deviceId", type: "string" as const, required: true }];
  it("counts each matches as a read of the longest string: twelve fit, thirteen do not", () => {
    const many = (n: number) =>
      Array.from({ length: n }, (_, i) => `deviceId.matches('^x${i}')`).join(" || ");
    expect(() => compilePredicate(many(12), strings, "condition")).not.toThrow();
    expect(() => compilePredicate(many(13), strings, "condition")).toThrowError(/steps per event/);
  });
});
