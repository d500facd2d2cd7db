import type { Business } from "../../../schema/contracts/businesses";
import type { EventValue } from "../../../schema/contracts/events";
import type { Rule, RuleCreate } from "../../../schema/contracts/rules";
import { parseDuration } from "../../lib/duration";
import { ActiveTime } from "./active";
import type { DetectorSettings } from "./anomaly";
import { SENSITIVITY } from "./anomaly";
import type { Period } from "./calendar";
import { refuse } from "./definition-error";
import type { AggregateExpression, Predicate } from "./expressions";
import { compilePredicate, parseAggregate } from "./expressions";

/** A sliding window is kept in this many buckets: bounded memory, O(1) work per event. */
export const SLIDING_BUCKETS = 60;

export type Window =
  | { kind: "sliding"; ms: number; bucketMs: number }
  | { kind: "calendar"; period: Period };

/** Alerts stay open this long after their condition cleared, unless the rule says otherwise (see docs/rules.md). */
export const DEFAULT_KEEP_FIRING_MS = 120_000;

interface Base {
  rule: Rule;
  /** `for`: how long the condition must hold before an alert opens. */
  forMs: number;
  /** `keepFiringFor`: how long an alert stays open after its condition cleared. */
  keepMs: number;
  where: Predicate | undefined;
  groupKey: (event: Record<string, EventValue>) => string;
}

export type CompiledRule = Base &
  (
    | { kind: "immediate"; condition: Predicate; tolerance: Tolerance | undefined }
    | { kind: "absence"; windowMs: number; active: ActiveTime; expect: string[] }
    | { kind: "aggregate"; aggregate: AggregateExpression; window: Window }
    | { kind: "anomaly"; field: string; settings: DetectorSettings }
  );

export type Tolerance =
  | { kind: "count"; atLeast: number; ofLast: number }
  | { kind: "rate"; rateAbove: number; window: Window & { kind: "sliding" }; minEvents: number };

function sliding(text: string, path: string): Window & { kind: "sliding" } {
  const ms = parseDuration(text);
  if (!ms) throw refuse(path, "must be a positive duration like 30s, 20m, 1h or 7d");
  return {
    kind: "sliding",
    ms,
    bucketMs: Math.max(1000, Math.ceil(ms / SLIDING_BUCKETS / 1000) * 1000),
  };
}

/** A duration that may be zero (`0s`), or the default when absent. */
function durationOrZero(text: string | undefined, path: string, fallback: number): number {
  if (text === undefined) return fallback;
  if (/^0+(s|m|h|d)$/.test(text)) return 0;
  const ms = parseDuration(text);
  if (ms === undefined) throw refuse(path, "must be a duration like 0s, 30s, 20m, 1h or 7d");
  return ms;
}

function windowOf(text: string, path: string): Window {
  return text === "day" || text === "week" || text === "month"
    ? { kind: "calendar", period: text }
    : sliding(text, path);
}

/**
 * Checks a rule body against the business's fields and compiles it for the
 * engine. Throws 422 problems naming the offending key.
 */
export function compileRule(
  rule: Rule | (RuleCreate & { id?: string }),
  business: Business,
): CompiledRule {
  const fields = business.fields;
  const where = rule.where ? compilePredicate(rule.where, fields, "where") : undefined;
  const groupBy = rule.groupBy;
  if (groupBy && !fields.some((f) => f.name === groupBy)) {
    throw refuse("groupBy", `'${groupBy}' is not a field of this business`);
  }
  const groupKey = groupBy
    ? (event: Record<string, EventValue>) => {
        const v = event[groupBy];
        return v === undefined || v === null ? "" : String(v);
      }
    : () => "";
  const base = {
    rule: rule as Rule,
    where,
    groupKey,
    forMs: durationOrZero(rule.for, "for", 0),
    keepMs: durationOrZero(rule.keepFiringFor, "keepFiringFor", DEFAULT_KEEP_FIRING_MS),
  };

  switch (rule.kind) {
    case "immediate": {
      const condition = compilePredicate(rule.condition, fields, "condition");
      let tolerance: Tolerance | undefined;
      if (rule.tolerance && "atLeast" in rule.tolerance) {
        tolerance = {
          kind: "count",
          atLeast: rule.tolerance.atLeast,
          ofLast: rule.tolerance.ofLast,
        };
      } else if (rule.tolerance) {
        tolerance = {
          kind: "rate",
          rateAbove: rule.tolerance.rateAbove,
          window: sliding(rule.tolerance.window, "tolerance.window"),
          minEvents: rule.tolerance.minEvents,
        };
      }
      return { ...base, kind: "immediate", condition, tolerance };
    }
    case "absence": {
      const windowMs = parseDuration(rule.window);
      if (!windowMs) throw refuse("window", "must be a positive duration like 30s, 20m, 1h or 7d");
      if (rule.expect?.length && !groupBy)
        throw refuse("expect", "needs groupBy: the expected keys are values of it");
      return {
        ...base,
        kind: "absence",
        windowMs,
        active: new ActiveTime(rule.active, business.timezone),
        expect: rule.expect ?? [],
      };
    }
    case "aggregate":
      return {
        ...base,
        kind: "aggregate",
        aggregate: parseAggregate(rule.expression, fields),
        window: windowOf(rule.window, "window"),
      };
    case "anomaly": {
      const field = fields.find((f) => f.name === rule.field);
      if (!field) throw refuse("field", `'${rule.field}' is not a field of this business`);
      if (field.type !== "number" && field.type !== "integer")
        throw refuse(
          "field",
          `'${rule.field}' is a ${field.type} field; anomaly rules need a number`,
        );
      return {
        ...base,
        kind: "anomaly",
        field: field.name,
        settings: {
          ...SENSITIVITY[rule.sensitivity],
          direction: rule.direction ?? "both",
          minDeviation: rule.minDeviation?.absolute ?? 0,
          minRatio: rule.minDeviation?.relative ?? 0,
        },
      };
    }
  }
}

/**
 * What a rule's live state depends on. An edit that keeps this keeps the state
 * (timers, aggregates); any other edit starts the rule afresh.
 */
export function stateFingerprint(rule: Rule): string {
  const shape: unknown[] = [rule.kind, rule.where ?? null, rule.groupBy ?? null];
  if (rule.kind === "immediate") shape.push(rule.condition, rule.tolerance ?? null);
  if (rule.kind === "aggregate") {
    const head = rule.expression.replace(/\s+/g, "").replace(/(>=|<=|==|!=|>|<).*$/, "");
    shape.push(head, rule.window);
  }
  // A new sensitivity keeps what the detector learnt; a new field does not.
  if (rule.kind === "anomaly") shape.push(rule.field);
  return JSON.stringify(shape);
}

/** The business's enabled rules, compiled; one the fields no longer support is skipped (the API prevents this). */
export function compileEnabled(rules: Rule[], business: Business): CompiledRule[] {
  const compiled: CompiledRule[] = [];
  for (const rule of rules) {
    if (!rule.enabled) continue;
    try {
      compiled.push(compileRule(rule, business));
    } catch (error) {
      console.warn(`business ${business.id}: rule ${rule.id} skipped`, error);
    }
  }
  return compiled;
}
