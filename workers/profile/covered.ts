import type { Field } from "../../schema/contracts/businesses";
import type { Rule, RuleCreate } from "../../schema/contracts/rules";
import type { Predicate } from "../business/engine/expressions";
import { compilePredicate } from "../business/engine/expressions";
import { fingerprintOf } from "./fingerprint";

/** The group keys a draft watches (`expect`, or the one key of `field == "value"`), if it names them. */
function keysOf(rule: RuleCreate): string[] | undefined {
  if (rule.kind === "absence" && rule.expect?.length) return rule.expect;
  const one = rule.where ? /^\s*\w+\s*==\s*"([^"]*)"\s*$/.exec(rule.where) : null;
  return one?.[1] !== undefined ? [one[1]] : undefined;
}

/** Whether every event the draft watches also passes the existing rule's filter. */
function reaches(existing: Rule, draft: RuleCreate, fields: Field[]): boolean {
  if (!existing.where || existing.where === draft.where) return true;
  const keys = keysOf(draft);
  const field = draft.groupBy;
  if (!keys || !field) return false;
  const passes = filterOf(existing.where, fields);
  return passes !== null && keys.every((key) => passes({ [field]: key }));
}

/** Compiled filters, once per expression and fields (a run asks about every stream of a fleet). */
const filters = new WeakMap<Field[], Map<string, Predicate | null>>();

function filterOf(where: string, fields: Field[]): Predicate | null {
  let known = filters.get(fields);
  if (!known) {
    known = new Map();
    filters.set(fields, known);
  }
  let passes = known.get(where);
  if (passes === undefined) {
    try {
      passes = compilePredicate(where, fields, "where");
    } catch {
      // A filter that no longer compiles covers nothing.
      passes = null;
    }
    known.set(where, passes);
  }
  return passes;
}

const names = (expression: string) =>
  new Set(
    expression
      .match(/"[^"]*"|'[^']*'|[A-Za-z_][A-Za-z0-9_]*/g)
      ?.map((w) => w.replace(/^'|'$/g, '"')),
  );

/** The aggregate's head: `sum(amount)`. */
const headOf = (expression: string) =>
  expression.replace(/\s+/g, "").replace(/(>=|<=|==|!=|>|<).*$/, "");

/**
 * Whether an existing rule already watches what the draft would: the same
 * kind on the same field and events. An absence rule covers the streams it
 * reaches (one grouped by the same field, or any grouped one for the whole
 * business); a threshold rule on a field covers a range on it; any rule on a
 * failure value covers its rate; an anomaly or aggregate rule on a field
 * covers another on it. A second rule on the same thing would duplicate it,
 * or contradict it with other numbers.
 */
export function covers(existing: Rule, draft: RuleCreate, fields: Field[]): boolean {
  if (fingerprintOf(existing as RuleCreate) === fingerprintOf(draft)) return true;
  if (existing.kind !== draft.kind) return false;
  if (!reaches(existing, draft, fields)) return false;
  switch (draft.kind) {
    case "absence": {
      if (existing.groupBy === draft.groupBy || draft.groupBy === undefined) return true;
      // `where: flow == "A"` without groupBy watches the one stream a per-key draft names.
      return existing.groupBy === undefined && existing.where !== undefined;
    }
    case "immediate": {
      if (existing.kind !== "immediate") return false;
      const theirs = names(existing.condition);
      const ours = [...names(draft.condition)];
      // A rate draft names a field and its failure value; a range draft one field.
      return draft.tolerance ? ours.every((n) => theirs.has(n)) : ours.some((n) => theirs.has(n));
    }
    case "anomaly":
      return existing.kind === "anomaly" && existing.field === draft.field;
    case "aggregate":
      return (
        existing.kind === "aggregate" && headOf(existing.expression) === headOf(draft.expression)
      );
  }
}

/** The existing rule that already covers a draft, if any. */
export function coveringRule(rules: Rule[], draft: RuleCreate, fields: Field[]): Rule | undefined {
  return rules.find((r) => covers(r, draft, fields));
}
