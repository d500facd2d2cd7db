import { Environment } from "@marcbachmann/cel-js";
import type { Field } from "../../../schema/contracts/businesses";
import type { EventValue } from "../../../schema/contracts/events";
import { invalid } from "../../lib/errors";

/**
 * Conditions and filters are CEL expressions over an event's fields
 * (@marcbachmann/cel-js: no eval, so it runs in workerd). Numbers are doubles
 * in expressions; timestamps are epoch milliseconds.
 */
const celType: Record<Field["type"], string> = {
  string: "string",
  number: "double",
  integer: "double",
  boolean: "bool",
  timestamp: "double",
  enum: "string",
};

export type Predicate = (event: Record<string, EventValue>) => boolean;

/**
 * The CEL environment of a business: one typed variable per field. A field whose
 * name CEL reserves (`bytes`, `int`, `size`, ...) cannot be a variable; it is
 * left out and reported when an expression names it.
 */
function environment(fields: Field[]): { env: Environment; reserved: string[] } {
  const env = new Environment({
    unlistedVariablesAreDyn: false,
    limits: { maxAstNodes: 500, maxDepth: 50 },
  });
  const reserved: string[] = [];
  for (const f of fields) {
    try {
      env.registerVariable(f.name, celType[f.type]);
    } catch {
      reserved.push(f.name);
    }
  }
  return { env, reserved };
}

/** The CEL library's message, first line, with the column of the caret when it shows one. */
function describe(error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const [first = "invalid expression", , line, caret] = message.split("\n");
  const column = caret?.indexOf("^");
  return column !== undefined && column >= 0 && line
    ? `${first} (at column ${column - line.indexOf("|") - 1})`
    : first;
}

/**
 * Type-checks a boolean expression against the fields and compiles it once.
 * Throws a 422 naming `path` when it does not parse, names an unknown field or is not boolean.
 */
export function compilePredicate(expression: string, fields: Field[], path: string): Predicate {
  const { env, reserved } = environment(fields);
  const checked = env.check(expression);
  if (!checked.valid) {
    const named = reserved.find((name) => new RegExp(`\\b${name}\\b`).test(expression));
    if (named)
      throw invalid(path, `field '${named}' has a name CEL reserves, so expressions cannot use it`);
    throw invalid(path, describe(checked.error));
  }
  if (String(checked.type) !== "bool") {
    throw invalid(
      path,
      `must be a condition (true or false), but it gives ${String(checked.type)}`,
    );
  }
  const evaluate = env.parse(expression);
  const timestamps = fields.filter((f) => f.type === "timestamp").map((f) => f.name);
  return (event) => {
    try {
      return evaluate(timestamps.length ? withMillis(event, timestamps) : event) === true;
    } catch {
      // A field the event lacks (or a runtime type error) makes the condition false.
      return false;
    }
  };
}

function withMillis(
  event: Record<string, EventValue>,
  names: string[],
): Record<string, EventValue> {
  const copy = { ...event };
  for (const n of names) {
    const v = copy[n];
    if (typeof v === "string") copy[n] = Date.parse(v);
  }
  return copy;
}

export type AggregateFn = "count" | "sum" | "avg" | "min" | "max";
export type Comparison = ">" | ">=" | "<" | "<=" | "==" | "!=";

export interface AggregateExpression {
  fn: AggregateFn;
  field: string | null;
  op: Comparison;
  threshold: number;
}

const aggregatePattern =
  /^\s*(count|sum|avg|min|max)\s*\(\s*([A-Za-z_][A-Za-z0-9_]*)?\s*\)\s*(>=|<=|==|!=|>|<)\s*(-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?)\s*$/;

/** Parses `sum(amount) > 2000`: one aggregate function compared with a number. */
export function parseAggregate(
  expression: string,
  fields: Field[],
  path = "expression",
): AggregateExpression {
  const match = aggregatePattern.exec(expression);
  if (!match) {
    throw invalid(
      path,
      "must look like `count() > 10` or `sum(amount) >= 2000` (count, sum, avg, min, max)",
    );
  }
  const [, fn, field, op, threshold] = match as unknown as [
    string,
    AggregateFn,
    string | undefined,
    Comparison,
    string,
  ];
  if (fn === "count" && field) throw invalid(path, "count() takes no field");
  if (fn !== "count") {
    if (!field) throw invalid(path, `${fn}() needs a numeric field`);
    const declared = fields.find((f) => f.name === field);
    if (!declared) throw invalid(path, `unknown field '${field}'`);
    if (declared.type !== "number" && declared.type !== "integer") {
      throw invalid(path, `'${field}' is a ${declared.type} field; ${fn}() needs a number`);
    }
  }
  return { fn, field: field ?? null, op, threshold: Number(threshold) };
}

export function compare(value: number, op: Comparison, threshold: number): boolean {
  switch (op) {
    case ">":
      return value > threshold;
    case ">=":
      return value >= threshold;
    case "<":
      return value < threshold;
    case "<=":
      return value <= threshold;
    case "==":
      return value === threshold;
    case "!=":
      return value !== threshold;
  }
}
