import { Environment } from "@marcbachmann/cel-js";
import { RE2JS } from "re2js";
import type { Field } from "../../../schema/contracts/businesses";
import type { EventValue } from "../../../schema/contracts/events";
import { parseTimestamp } from "../../lib/time";
import { refuse } from "./definition-error";

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

/** Bounds on what one expression may cost; docs/rules.md states them for users. */
export const EXPRESSION_LIMITS = {
  /** Characters (the contract refuses longer text before it gets here). */
  maxLength: 2000,
  /** Syntax nodes and nesting depth (parentheses, calls, member access). */
  maxAstNodes: 500,
  maxDepth: 32,
  /**
   * Worst-case evaluation steps per event: one per operation, STRING_COST for a
   * call that scans a string, 8,192 for `matches` (RE2 reads every character), and a comprehension (`all`, `exists`, `map`, ...)
   * multiplies its body by the longest list it can see.
   */
  maxCost: 100_000,
} as const;
const STRING_COST = 64;
/** The longest string (8,192 characters): `split` gives at most this many elements, `matches` reads this many. */
const LONGEST_LIST = 8192;
const comprehensions = new Set(["all", "exists", "exists_one", "map", "filter"]);
const LINEAR_MATCH = "__linearMatches";

/**
 * `matches` runs on RE2 (re2js, pure JavaScript: no eval) instead of the
 * backtracking RegExp, so its time is linear in the input: `^(a+)+$` cannot
 * stall a business. RE2 is also the syntax CEL specifies. Patterns are compiled
 * once per text.
 */
const patterns = new Map<string, RE2JS>();
function re2(pattern: string): RE2JS {
  let compiled = patterns.get(pattern);
  if (!compiled) {
    compiled = RE2JS.compile(pattern);
    if (patterns.size >= 1000) patterns.clear();
    patterns.set(pattern, compiled);
  }
  return compiled;
}

/**
 * The CEL environment of a business: one typed variable per field. A field whose
 * name CEL reserves (`bytes`, `int`, `size`, ...) cannot be a variable; it is
 * left out and reported when an expression names it.
 */
function environment(fields: Field[]): { env: Environment; reserved: string[] } {
  const env = new Environment({
    unlistedVariablesAreDyn: false,
    limits: { maxAstNodes: EXPRESSION_LIMITS.maxAstNodes, maxDepth: EXPRESSION_LIMITS.maxDepth },
  });
  env.registerFunction(`string.${LINEAR_MATCH}(string): bool`, (text: string, pattern: string) =>
    re2(pattern).matcher(text).find(),
  );
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
  const text = first
    .replace(/^Exceeded maxDepth \((\d+)\)/, "nests deeper than $1 levels")
    .replace(
      /^Exceeded maxAstNodes \((\d+)\)/,
      "has more than $1 parts; split it into simpler rules",
    );
  return column !== undefined && column >= 0 && line
    ? `${text} (at column ${column - line.indexOf("|") - 1})`
    : text;
}

/** A node of the library's syntax tree, as far as this module reads it. */
interface Node {
  op: string;
  args: unknown;
}
const isNode = (x: unknown): x is Node =>
  typeof x === "object" && x !== null && typeof (x as Node).op === "string";

function children(args: unknown): Node[] {
  if (isNode(args)) return [args];
  if (Array.isArray(args)) return args.flatMap(children);
  return [];
}

/** Worst-case steps to evaluate `node` once (see EXPRESSION_LIMITS.maxCost). */
function cost(node: Node): number {
  if (node.op === "rcall" && Array.isArray(node.args)) {
    const [name, receiver, args] = node.args as [string, Node, unknown];
    if (comprehensions.has(name)) {
      const size =
        receiver.op === "list" && Array.isArray(receiver.args)
          ? receiver.args.length
          : LONGEST_LIST;
      return 1 + cost(receiver) + size * (1 + children(args).reduce((t, c) => t + cost(c), 0));
    }
    // RE2 takes time linear in the text: one step per character of the longest string.
    const own = name === "matches" ? LONGEST_LIST : STRING_COST;
    return own + children([receiver, args]).reduce((t, c) => t + cost(c), 0);
  }
  const own = node.op === "call" ? STRING_COST : 1;
  return own + children(node.args).reduce((t, c) => t + cost(c), 0);
}

/**
 * Points every `text.matches(pattern)` at the linear engine. A literal pattern
 * is compiled now, so a pattern RE2 cannot run is refused when the rule is saved.
 */
function routeMatchesToRe2(node: Node, path: string): void {
  if (node.op === "rcall" && Array.isArray(node.args) && node.args[0] === "matches") {
    const pattern = children(node.args[2])[0];
    if (pattern?.op === "value" && typeof pattern.args === "string") {
      try {
        re2(pattern.args);
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        throw refuse(path, `matches('${pattern.args}'): not a valid RE2 pattern (${reason})`);
      }
    }
    node.args[0] = LINEAR_MATCH;
  }
  for (const child of children(node.args)) routeMatchesToRe2(child, path);
}

/**
 * Type-checks a boolean expression against the fields and compiles it once.
 * Throws a 422 naming `path` when it does not parse, names an unknown field, is
 * not boolean or could cost more than EXPRESSION_LIMITS allow.
 */
export function compilePredicate(expression: string, fields: Field[], path: string): Predicate {
  if (expression.length > EXPRESSION_LIMITS.maxLength) {
    throw refuse(path, `is longer than ${EXPRESSION_LIMITS.maxLength} characters`);
  }
  const { env, reserved } = environment(fields);
  const checked = env.check(expression);
  if (!checked.valid) {
    const named = reserved.find((name) => new RegExp(`\\b${name}\\b`).test(expression));
    if (named)
      throw refuse(path, `field '${named}' has a name CEL reserves, so expressions cannot use it`);
    throw refuse(path, describe(checked.error));
  }
  if (String(checked.type) !== "bool") {
    throw refuse(path, `must be a condition (true or false), but it gives ${String(checked.type)}`);
  }
  const evaluate = env.parse(expression);
  const root = evaluate.ast as unknown as Node;
  const steps = cost(root);
  if (steps > EXPRESSION_LIMITS.maxCost) {
    throw refuse(
      path,
      `could take up to ${steps.toLocaleString("en")} steps per event (at most ${EXPRESSION_LIMITS.maxCost.toLocaleString("en")}); avoid nesting all/exists/map/filter over split lists`,
    );
  }
  routeMatchesToRe2(root, path);
  const bound = evaluate.check();
  if (!bound.valid) throw refuse(path, describe(bound.error));
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
    if (typeof v === "string") copy[n] = parseTimestamp(v) ?? Number.NaN;
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
    throw refuse(
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
  if (fn === "count" && field) throw refuse(path, "count() takes no field");
  if (fn !== "count") {
    if (!field) throw refuse(path, `${fn}() needs a numeric field`);
    const declared = fields.find((f) => f.name === field);
    if (!declared) throw refuse(path, `unknown field '${field}'`);
    if (declared.type !== "number" && declared.type !== "integer") {
      throw refuse(path, `'${field}' is a ${declared.type} field; ${fn}() needs a number`);
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
